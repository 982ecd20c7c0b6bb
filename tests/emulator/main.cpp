// kube-emulator: serves emulated Kubernetes clusters (with simulated Stork) on 127.0.0.1.
// Prints one JSON line with the kubeconfig path, each cluster's port and, after a --seed, how long
// seeding took in milliseconds ("seed_ms"), then serves until SIGTERM/SIGINT. See usage() for the
// flags and src/server_admin.cpp for the admin API.
#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "certs.hpp"
#include "emulator.hpp"
#include "server.hpp"

namespace {

const char* kUsage =
    "usage: kube-emulator --clusters NAME[,NAME...] --state-dir DIR [options]\n"
    "  --seed NAME[:ARG]        populate the clusters (see --list-seeds)\n"
    "  --list-seeds             print the known seeds and exit\n"
    "  --plain-http             serve HTTP instead of HTTPS (debugging)\n"
    "  --token T                bearer token auth: the kubeconfig carries T; wrong tokens get 401\n"
    "  --no-stork               do not install Stork's CRDs or run the Stork simulation\n"
    "  --ports P1,P2,...        one port per cluster (default: free ports)\n"
    "  --port-base P            cluster i listens on P+i\n"
    "  --snapshot               load DIR/snapshot.json at start, write it at shutdown\n"
    "  --latency-ms N           added latency per API request\n"
    "  --error-rate F           probability of a 500/503 answer (0..1)\n"
    "  --throttle-rate F        probability of a 429 with Retry-After\n"
    "  --retry-after S          Retry-After seconds of the 429s (default 1)\n"
    "  --drop-rate F            probability of a connection closed mid-response\n"
    "  --fault-verbs V1,V2      faults only for these verbs (get,list,watch,create,update,patch,delete)\n"
    "  --deny VERB:RESOURCE[:NS],... answer 403 Forbidden (e.g. patch:statefulsets, list:*,\n"
    "                           patch:deployments:ns-00002 for one namespace)\n"
    "  --threads N              worker threads per cluster (default 128)\n"
    "  --history N              change events kept for watches and continue tokens (default 50000)\n"
    "  --sim KEY=VALUE          a setting for the simulation (repeatable)\n"
    "  --ready-delay-ms N, --minutes-as-seconds, --no-workload-controller, --no-stork-controller\n"
    "                           shorthands for --sim ready-delay-ms=N, minutes-as-seconds=true,\n"
    "                           workload-controller=false, stork-controller=false\n";

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream stream(text);
  std::string part;
  while (std::getline(stream, part, ',')) {
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

[[noreturn]] void fail(const std::string& message) {
  std::cerr << "kube-emulator: " << message << "\n" << kUsage;
  std::exit(2);
}

bool write_file(const std::string& path, const std::string& contents, mode_t mode = 0644) {
  {
    std::ofstream out(path, std::ios::trunc);
    out << contents;
    if (!out) return false;
  }
  return chmod(path.c_str(), mode) == 0;
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

struct Options {
  std::vector<std::string> clusters;
  std::string state_dir;
  std::string seed;
  std::vector<int> ports;
  int port_base = 0;
  bool snapshot = false;
  std::size_t history = 0;
  emu::ServerOptions server;
  emu::SimulationConfig sim;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string inline_value;
    bool has_inline = false;
    if (arg.rfind("--", 0) == 0) {
      if (auto eq = arg.find('='); eq != std::string::npos) {
        inline_value = arg.substr(eq + 1);
        arg = arg.substr(0, eq);
        has_inline = true;
      }
    }
    auto value = [&]() -> std::string {
      if (has_inline) return inline_value;
      if (i + 1 >= argc) fail("missing value for " + arg);
      return argv[++i];
    };
    auto number = [&](const std::string& v) {
      char* end = nullptr;
      double d = std::strtod(v.c_str(), &end);
      if (v.empty() || end == nullptr || *end != '\0') fail("not a number for " + arg + ": " + v);
      return d;
    };
    if (arg == "--clusters") {
      o.clusters = split(value());
    } else if (arg == "--state-dir") {
      o.state_dir = value();
    } else if (arg == "--seed") {
      o.seed = value();
    } else if (arg == "--list-seeds") {
      for (const auto& s : emu::registered_seeds()) std::cout << s.name << "\t" << s.description << "\n";
      std::exit(0);
    } else if (arg == "--plain-http") {
      o.server.tls = false;
    } else if (arg == "--token") {
      o.server.token = value();
    } else if (arg == "--no-stork") {
      o.sim.stork = false;
    } else if (arg == "--ports") {
      for (const auto& p : split(value())) o.ports.push_back(static_cast<int>(number(p)));
    } else if (arg == "--port-base") {
      o.port_base = static_cast<int>(number(value()));
    } else if (arg == "--snapshot") {
      o.snapshot = true;
    } else if (arg == "--latency-ms") {
      o.server.faults.latency_ms = static_cast<int>(number(value()));
    } else if (arg == "--error-rate" || arg == "--fault-error-rate") {
      o.server.faults.error_rate = number(value());
    } else if (arg == "--throttle-rate" || arg == "--fault-throttle-rate") {
      o.server.faults.throttle_rate = number(value());
    } else if (arg == "--retry-after") {
      o.server.faults.retry_after_seconds = static_cast<int>(number(value()));
    } else if (arg == "--drop-rate" || arg == "--fault-drop-rate") {
      o.server.faults.drop_rate = number(value());
    } else if (arg == "--fault-verbs") {
      o.server.faults.only_verbs = value();
    } else if (arg == "--deny") {
      for (const auto& d : split(value())) {
        if (d.find(':') == std::string::npos) fail("--deny entries look like VERB:RESOURCE, got " + d);
        o.server.deny.insert(d);
      }
    } else if (arg == "--threads") {
      o.server.threads = static_cast<std::size_t>(number(value()));
    } else if (arg == "--history") {
      o.history = static_cast<std::size_t>(number(value()));
    } else if (arg == "--sim") {
      std::string kv = value();
      auto eq = kv.find('=');
      if (eq == std::string::npos) fail("--sim takes KEY=VALUE");
      o.sim.settings[kv.substr(0, eq)] = kv.substr(eq + 1);
    } else if (arg == "--ready-delay-ms") {
      o.sim.settings["ready-delay-ms"] = value();
    } else if (arg == "--minutes-as-seconds") {
      o.sim.settings["minutes-as-seconds"] = "true";
    } else if (arg == "--no-workload-controller") {
      o.sim.settings["workload-controller"] = "false";
    } else if (arg == "--no-stork-controller") {
      o.sim.settings["stork-controller"] = "false";
    } else if (arg == "-h" || arg == "--help") {
      std::cout << kUsage;
      std::exit(0);
    } else {
      fail("unknown argument " + arg);
    }
  }
  if (o.clusters.empty()) fail("--clusters is required");
  if (o.state_dir.empty()) fail("--state-dir is required");
  if (!o.ports.empty() && o.ports.size() != o.clusters.size()) fail("--ports needs one port per cluster");
  for (std::size_t i = 0; i < o.clusters.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (o.clusters[i] == o.clusters[j]) fail("cluster " + o.clusters[i] + " listed twice");
    }
  }
  return o;
}

std::string kubeconfig(const Options& o, const emu::Pki& pki,
                       const std::vector<std::unique_ptr<emu::ClusterServer>>& servers) {
  std::string y = "apiVersion: v1\nkind: Config\nclusters:\n";
  for (std::size_t i = 0; i < o.clusters.size(); ++i) {
    y += "- name: " + o.clusters[i] + "\n  cluster:\n    server: " + servers[i]->url() + "\n";
    if (o.server.tls) y += "    certificate-authority-data: " + emu::base64(pki.ca_cert) + "\n";
  }
  y += "contexts:\n";
  for (const auto& c : o.clusters)
    y += "- name: " + c + "\n  context:\n    cluster: " + c + "\n    user: " + c + "\n";
  y += "current-context: " + o.clusters.front() + "\npreferences: {}\nusers:\n";
  for (const auto& c : o.clusters) {
    y += "- name: " + c + "\n  user:\n";
    if (!o.server.token.empty()) {
      y += "    token: " + o.server.token + "\n";
    } else if (o.server.tls) {
      y += "    client-certificate-data: " + emu::base64(pki.admin_cert) + "\n";
      y += "    client-key-data: " + emu::base64(pki.admin_key) + "\n";
    } else {
      y += "    {}\n";
    }
  }
  return y;
}

std::string save_snapshot(emu::Emulator& emulator, const std::string& path) {
  std::string out = "{\"clusters\":{";
  bool first = true;
  for (auto* c : emulator.clusters()) {
    out += (first ? "" : ",") + json_string(c->name()) + ":" + c->store().save();
    first = false;
  }
  out += "}}";
  std::string tmp = path + ".tmp";
  if (write_file(tmp, out, 0600)) std::rename(tmp.c_str(), path.c_str());
  return path;
}

bool load_snapshot(emu::Emulator& emulator, const std::string& path) {
  std::ifstream in(path);
  if (!in) return false;
  std::stringstream buffer;
  buffer << in.rdbuf();
  rapidjson::Document d;
  std::string text = buffer.str();
  d.Parse(text.c_str(), text.size());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("clusters") || !d["clusters"].IsObject()) {
    throw std::runtime_error("snapshot " + path + " is not valid");
  }
  for (const auto& m : d["clusters"].GetObject()) {
    emu::EmulatedCluster* c = emulator.find_cluster(m.name.GetString());
    if (c != nullptr) c->store().load(emu::to_json(m.value));
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any thread starts
  signal(SIGPIPE, SIG_IGN);

  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(o.state_dir, ec);
  o.state_dir = fs::absolute(o.state_dir).lexically_normal().string();
  if (o.state_dir.size() > 1 && o.state_dir.back() == '/') o.state_dir.pop_back();
  const std::string snapshot_path = o.state_dir + "/snapshot.json";

  try {
    emu::Pki pki = emu::generate_pki();
    if (!write_file(o.state_dir + "/ca.crt", pki.ca_cert) ||
        !write_file(o.state_dir + "/admin.crt", pki.admin_cert) ||
        !write_file(o.state_dir + "/admin.key", pki.admin_key, 0600)) {
      throw std::runtime_error("cannot write to " + o.state_dir);
    }
    emu::Emulator emulator(o.clusters, o.sim);
    if (o.history > 0) {
      for (auto* c : emulator.clusters()) c->store().set_history_limit(o.history);
    }
    emulator.install_simulation();
    bool restored = o.snapshot && load_snapshot(emulator, snapshot_path);
    double seed_ms = 0;  // how long --seed took, in the ready line
    if (!restored && !o.seed.empty()) {
      auto started = std::chrono::steady_clock::now();
      emu::apply_seed(emulator, o.seed);
      seed_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    }

    std::vector<std::unique_ptr<emu::ClusterServer>> servers;
    for (std::size_t i = 0; i < o.clusters.size(); ++i) {
      emu::ServerOptions so = o.server;
      so.request_log_path = o.state_dir + "/" + o.clusters[i] + ".requests.log";
      so.state_dir = o.state_dir;
      servers.push_back(std::make_unique<emu::ClusterServer>(emulator.cluster(o.clusters[i]), pki, so));
      if (o.snapshot)
        servers.back()->save_snapshot = [&emulator, snapshot_path] {
          return save_snapshot(emulator, snapshot_path);
        };
    }
    emulator.start_controllers();
    for (std::size_t i = 0; i < servers.size(); ++i) {
      int port = !o.ports.empty() ? o.ports[i] : (o.port_base > 0 ? o.port_base + static_cast<int>(i) : 0);
      std::string error;
      if (!servers[i]->start(port, error)) throw std::runtime_error(o.clusters[i] + ": " + error);
    }
    if (!write_file(o.state_dir + "/kubeconfig", kubeconfig(o, pki, servers), 0600)) {
      throw std::runtime_error("cannot write the kubeconfig");
    }
    std::string ready = "{\"kubeconfig\":" + json_string(o.state_dir + "/kubeconfig") +
                        ",\"state_dir\":" + json_string(o.state_dir) + ",\"clusters\":{";
    for (std::size_t i = 0; i < servers.size(); ++i) {
      ready += (i ? "," : "") + json_string(o.clusters[i]) +
               ":{\"port\":" + std::to_string(servers[i]->port()) +
               ",\"server\":" + json_string(servers[i]->url()) + "}";
    }
    ready += "}";
    if (!o.seed.empty() && !restored) {
      char ms[32];
      std::snprintf(ms, sizeof ms, "%.1f", seed_ms);
      ready += ",\"seed_ms\":" + std::string(ms);
    }
    ready += "}";
    std::cout << ready << std::endl;

    int sig = 0;
    sigwait(&signals, &sig);
    emulator.stop_controllers();
    for (auto& s : servers) s->stop();
    if (o.snapshot) save_snapshot(emulator, snapshot_path);
  } catch (const emu::StatusError& e) {
    std::cerr << "kube-emulator: " << e.message << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "kube-emulator: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
