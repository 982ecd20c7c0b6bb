// kube-emulator: serves emulated Kubernetes clusters (with simulated Stork) on loopback.
//   kube-emulator --clusters us-east-1a,us-east-1b --state-dir DIR [--seed NAME] [--plain-http]
//                 [--token T] [--no-stork] [--ports P1,P2] [--snapshot] [--latency-ms N]
//                 [--error-rate F] [--deny VERB:RESOURCE,...] [--ready-delay-ms N]
//                 [--minutes-as-seconds] [--no-workload-controller] [--no-stork-controller]
// Prints one JSON line with the kubeconfig path and each cluster's port, then serves until
// SIGTERM/SIGINT.
#include <signal.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "certs.hpp"
#include "server.hpp"
#include "simulation.hpp"
#include "types.hpp"

namespace {

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream stream(text);
  std::string part;
  while (std::getline(stream, part, ',')) {
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

int usage(const std::string& error) {
  std::cerr << "kube-emulator: " << error << "\n"
            << "usage: kube-emulator --clusters NAME[,NAME...] --state-dir DIR [--seed zookeeper-failover|scale:N:M]\n"
            << "       [--plain-http] [--token T] [--no-stork] [--ports P1,P2] [--snapshot] [--latency-ms N]\n"
            << "       [--error-rate F] [--deny VERB:RESOURCE,...] [--ready-delay-ms N] [--minutes-as-seconds]\n"
            << "       [--no-workload-controller] [--no-stork-controller]\n";
  return 2;
}

bool write_file(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::trunc);
  out << contents;
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> names;
  std::vector<int> ports;
  std::string state_dir;
  std::string seed;
  emu::ServerOptions server_options;
  emu::SimulationOptions simulation_options;
  bool stork = true;
  bool snapshot = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        usage("missing value for " + arg);
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--clusters") names = split(value());
    else if (arg == "--state-dir") state_dir = value();
    else if (arg == "--seed") seed = value();
    else if (arg == "--plain-http") server_options.tls = false;
    else if (arg == "--tls") server_options.tls = true;
    else if (arg == "--token") server_options.token = value();
    else if (arg == "--no-stork") stork = false;
    else if (arg == "--snapshot") snapshot = true;
    else if (arg == "--ports") for (const auto& p : split(value())) ports.push_back(std::stoi(p));
    else if (arg == "--latency-ms") server_options.faults.latency_ms = std::stoi(value());
    else if (arg == "--error-rate") server_options.faults.error_rate = std::stod(value());
    else if (arg == "--deny") for (const auto& rule : split(value())) server_options.deny.insert(rule);
    else if (arg == "--ready-delay-ms") simulation_options.ready_delay = std::chrono::milliseconds(std::stoi(value()));
    else if (arg == "--minutes-as-seconds") simulation_options.minutes_as_seconds = true;
    else if (arg == "--no-workload-controller") simulation_options.workloads = false;
    else if (arg == "--no-stork-controller") simulation_options.stork = false;
    else if (arg == "-h" || arg == "--help") return usage("help");
    else return usage("unknown argument " + arg);
  }
  if (names.empty()) return usage("--clusters is required");
  if (state_dir.empty()) return usage("--state-dir is required");
  if (!ports.empty() && ports.size() != names.size()) return usage("--ports needs one port per cluster");

  // Signals are handled by a waiting thread, not asynchronously.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  emu::Clusters clusters;
  for (const auto& name : names) {
    auto cluster = std::make_shared<emu::Cluster>(name);
    emu::register_builtin_types(*cluster);
    if (stork) emu::install_stork(*cluster);
    std::string saved;
    if (snapshot) {
      std::ifstream in(state_dir + "/snapshot-" + name + ".json");
      std::stringstream contents;
      contents << in.rdbuf();
      saved = contents.str();
    }
    if (!saved.empty()) {
      cluster->load(saved);
    } else {
      cluster->create(emu::types::namespaces, "", R"({"metadata":{"name":"default"}})", false);
      cluster->create(emu::types::namespaces, "", R"({"metadata":{"name":"kube-system"}})", false);
    }
    clusters.names.push_back(name);
    clusters.by_name[name] = cluster;
  }
  bool restored = snapshot && clusters[names[0]].snapshot(emu::types::namespaces).size() > 2;
  if (!restored) {
    if (auto error = emu::apply_seed(seed, clusters); !error.empty()) {
      std::cerr << "kube-emulator: seed failed: " << error << "\n";
      return 1;
    }
  }

  emu::Pki pki = emu::generate_pki();
  write_file(state_dir + "/ca.crt", pki.ca_cert);
  write_file(state_dir + "/admin.crt", pki.admin_cert);
  write_file(state_dir + "/admin.key", pki.admin_key);

  std::vector<std::unique_ptr<emu::ClusterServer>> servers;
  for (std::size_t i = 0; i < names.size(); ++i) {
    auto options = server_options;
    options.request_log_path = state_dir + "/" + names[i] + ".requests.log";
    auto server = std::make_unique<emu::ClusterServer>(clusters.by_name[names[i]], pki, options);
    if (!server->start(ports.empty() ? 0 : ports[i])) {
      std::cerr << "kube-emulator: cannot listen for cluster " << names[i] << "\n";
      return 1;
    }
    servers.push_back(std::move(server));
  }

  // One kubeconfig, a context per cluster.
  std::string kubeconfig = "apiVersion: v1\nkind: Config\ncurrent-context: " + names[0] + "\nclusters:\n";
  for (std::size_t i = 0; i < names.size(); ++i) {
    kubeconfig += "- name: " + names[i] + "\n  cluster:\n    server: " + servers[i]->url() + "\n";
    if (server_options.tls) kubeconfig += "    certificate-authority-data: " + emu::base64(pki.ca_cert) + "\n";
  }
  kubeconfig += "contexts:\n";
  for (const auto& name : names) {
    kubeconfig += "- name: " + name + "\n  context:\n    cluster: " + name + "\n    user: " + name + "\n";
  }
  kubeconfig += "users:\n";
  for (const auto& name : names) {
    kubeconfig += "- name: " + name + "\n  user:\n";
    if (!server_options.token.empty()) {
      kubeconfig += "    token: " + server_options.token + "\n";
    } else if (server_options.tls) {
      kubeconfig += "    client-certificate-data: " + emu::base64(pki.admin_cert) + "\n    client-key-data: " +
                    emu::base64(pki.admin_key) + "\n";
    } else {
      kubeconfig += "    {}\n";
    }
  }
  const std::string kubeconfig_path = state_dir + "/kubeconfig";
  write_file(kubeconfig_path, kubeconfig);

  emu::Simulation simulation(clusters, simulation_options);
  simulation.start();

  std::string line = R"({"kubeconfig":")" + kubeconfig_path + R"(","state_dir":")" + state_dir + R"(","clusters":{)";
  for (std::size_t i = 0; i < names.size(); ++i) {
    line += (i ? "," : "") + std::string("\"") + names[i] + R"(":{"port":)" + std::to_string(servers[i]->port()) +
            R"(,"server":")" + servers[i]->url() + "\"}";
  }
  line += "}}";
  std::cout << line << std::endl;

  int received = 0;
  sigwait(&signals, &received);
  simulation.stop();
  for (auto& server : servers) server->stop();
  if (snapshot) {
    for (const auto& name : names) write_file(state_dir + "/snapshot-" + name + ".json", clusters[name].save());
  }
  return 0;
}
