// A plain parallel load generator for the benchmark: the same merge PATCHes kubectl-dr sends for
// an activation (spec.replicas / spec.suspend with the listed resourceVersion as precondition),
// fired through a libcurl multi handle with P requests in flight and no other logic. Its write
// rate is the practical ceiling of the server, against which kubectl-dr's rate is judged.
//
//   patch-loadgen --server URL --cacert F --cert F --key F [--parallel P1,P2,...] [--minimum]
//                 [--workloads-only] [--bare]
//   patch-loadgen --server URL --cacert F --cert F --key F --get PATH
//
// For each P: list the workloads and schedules (untimed), then send, timed, one PATCH per workload
// that carries the migrationReplicas annotation and per migrated CronJob, and one per
// MigrationSchedule of those namespaces (status.applicationActivated), as an activation does.
// Each round writes a real change (the recorded count, or 0 when it is already there; the flag
// flipped), so rounds can follow each other. Each PATCH carries what kubectl-dr's carry (the field
// manager, Accept, User-Agent). --workloads-only leaves the schedules out and --bare those
// additions: both together give the generator of the runs before 2026-12-07, evening.
// --minimum: print instead the fewest requests an activation of this cluster can take (pages of
// 500 per kind listed, writes needed, MigrationSchedule status updates) and change nothing.
// --get PATH: one GET and nothing else (exit 0 on 2xx): the floor of a single command built on
// libcurl and OpenSSL, a process start, a TLS handshake and one request, to compare it with.
#include <curl/curl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "dr/kube/api_client.hpp"
#include "dr/kube/transport.hpp"

namespace {

struct Tls {
  std::string server, cacert, cert, key;
};

void configure(CURL* easy, const Tls& tls) {
  curl_easy_setopt(easy, CURLOPT_CAINFO, tls.cacert.c_str());
  curl_easy_setopt(easy, CURLOPT_SSLCERT, tls.cert.c_str());
  curl_easy_setopt(easy, CURLOPT_SSLKEY, tls.key.c_str());
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
}

std::size_t append(char* data, std::size_t size, std::size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

std::size_t discard(char*, std::size_t size, std::size_t count, void*) {
  return size * count;
}

const rapidjson::Value* at(const rapidjson::Value& v, std::initializer_list<const char*> path) {
  const rapidjson::Value* cur = &v;
  for (const char* key : path) {
    if (!cur->IsObject()) return nullptr;
    auto it = cur->FindMember(key);
    if (it == cur->MemberEnd()) return nullptr;
    cur = &it->value;
  }
  return cur;
}

std::string str(const rapidjson::Value& v, std::initializer_list<const char*> path) {
  const auto* found = at(v, path);
  return found && found->IsString() ? found->GetString() : std::string();
}

// Every page of a list, limit=500; returns the number of requests it took.
template <class Each>
int list_all(CURL* easy, const Tls& tls, const std::string& path, Each each) {
  std::string token;
  int pages = 0;
  do {
    std::string url = tls.server + path + "?limit=500" + (token.empty() ? "" : "&continue=" + token);
    std::string body;
    curl_easy_reset(easy);
    configure(easy, tls);
    curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &append);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &body);
    CURLcode code = curl_easy_perform(easy);
    for (int retry = 0; retry < 20 && (code == CURLE_SSL_CONNECT_ERROR || code == CURLE_COULDNT_CONNECT);
         ++retry) {  // a server that has just started may not take connections yet
      usleep(100000);
      body.clear();
      code = curl_easy_perform(easy);
    }
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    ++pages;
    if (code != CURLE_OK || status != 200) {
      if (status == 404) return pages;
      std::cerr << "error: listing " << path << ": " << curl_easy_strerror(code) << " HTTP " << status
                << "\n";
      std::exit(1);
    }
    rapidjson::Document doc;
    doc.Parse(body.data(), body.size());
    if (doc.HasParseError() || !doc.IsObject()) {
      std::cerr << "error: listing " << path << ": not JSON\n";
      std::exit(1);
    }
    if (const auto* items = at(doc, {"items"}); items && items->IsArray()) {
      for (const auto& item : items->GetArray()) each(item);
    }
    token = str(doc, {"metadata", "continue"});
    char* escaped = curl_easy_escape(easy, token.c_str(), static_cast<int>(token.size()));
    token = escaped ? escaped : "";
    curl_free(escaped);
  } while (!token.empty());
  return pages;
}

struct Write {
  std::string path;
  std::string body;
};

std::string recorded_replicas(const rapidjson::Value& item) {
  std::string value = str(item, {"metadata", "annotations", "stork.libopenstorage.org/migrationReplicas"});
  if (value.empty())
    value = str(item, {"metadata", "annotations", "stork.openstorage.org/migrationReplicas"});
  return value;
}

struct Plan {
  std::vector<Write> writes;        // what this round sends
  std::size_t schedule_writes = 0;  // of which MigrationSchedule status updates
  int pages = 0;
  std::size_t needed = 0;  // writes an activation needs (the minimum)
  std::set<std::string> managed_namespaces;
};

// True when the schedule migrates one of the namespaces (spec.template.spec.namespaces).
bool migrates_any(const rapidjson::Value& schedule, const std::set<std::string>& namespaces) {
  const auto* listed = at(schedule, {"spec", "template", "spec", "namespaces"});
  if (!listed || !listed->IsArray()) return false;
  for (const auto& ns : listed->GetArray()) {
    if (ns.IsString() && namespaces.count(ns.GetString())) return true;
  }
  return false;
}

const char* const kSchedules = "/apis/stork.libopenstorage.org/v1alpha1/migrationschedules";

Plan plan(CURL* easy, const Tls& tls, bool with_schedules) {
  Plan p;
  for (const char* kind : {"statefulsets", "deployments"}) {
    std::string base = std::string("/apis/apps/v1/");
    p.pages += list_all(easy, tls, base + kind, [&](const rapidjson::Value& item) {
      std::string recorded = recorded_replicas(item);
      if (recorded.empty()) return;
      std::string ns = str(item, {"metadata", "namespace"});
      p.managed_namespaces.insert(ns);
      const auto* replicas = at(item, {"spec", "replicas"});
      long current = replicas && replicas->IsInt64() ? static_cast<long>(replicas->GetInt64()) : 1;
      long wanted = std::atol(recorded.c_str());
      if (current != wanted) ++p.needed;
      long to = current == wanted ? 0 : wanted;
      p.writes.push_back({base + "namespaces/" + ns + "/" + kind + "/" + str(item, {"metadata", "name"}),
                          "{\"metadata\":{\"resourceVersion\":\"" +
                              str(item, {"metadata", "resourceVersion"}) +
                              "\"},\"spec\":{\"replicas\":" + std::to_string(to) + "}}"});
    });
  }
  p.pages += list_all(easy, tls, "/apis/apps/v1/replicasets", [](const rapidjson::Value&) {});
  p.pages += list_all(easy, tls, "/apis/batch/v1/cronjobs", [&](const rapidjson::Value& item) {
    if (str(item, {"metadata", "annotations", "stork.libopenstorage.org/migrated"}).empty()) return;
    std::string ns = str(item, {"metadata", "namespace"});
    p.managed_namespaces.insert(ns);
    const auto* suspend = at(item, {"spec", "suspend"});
    bool suspended = suspend && suspend->IsBool() && suspend->GetBool();
    if (suspended) ++p.needed;
    p.writes.push_back({"/apis/batch/v1/namespaces/" + ns + "/cronjobs/" + str(item, {"metadata", "name"}),
                        "{\"metadata\":{\"resourceVersion\":\"" + str(item, {"metadata", "resourceVersion"}) +
                            "\"},\"spec\":{\"suspend\":" + (suspended ? "false" : "true") + "}}"});
  });
  if (!with_schedules) return p;
  // An activation also sets status.applicationActivated on every MigrationSchedule of the namespaces
  // it activated (one merge patch each, on the object: Stork's CRD has no status subresource).
  p.pages += list_all(easy, tls, kSchedules, [&](const rapidjson::Value& item) {
    if (!migrates_any(item, p.managed_namespaces)) return;
    const auto* activated = at(item, {"status", "applicationActivated"});
    const bool was = activated && activated->IsBool() && activated->GetBool();
    p.writes.push_back({"/apis/stork.libopenstorage.org/v1alpha1/namespaces/" +
                            str(item, {"metadata", "namespace"}) + "/migrationschedules/" +
                            str(item, {"metadata", "name"}),
                        "{\"metadata\":{\"resourceVersion\":\"" + str(item, {"metadata", "resourceVersion"}) +
                            "\"},\"status\":{\"applicationActivated\":" + (was ? "false" : "true") + "}}"});
    ++p.schedule_writes;
  });
  return p;
}

struct Round {
  std::size_t ok = 0, failed = 0;
  double seconds = 0;
};

// What kubectl-dr adds to each PATCH (its transport and API client): the field manager in the
// query, and Accept and User-Agent headers, taken from the client itself. Sent too unless --bare,
// so that the server and this generator handle the activation's very requests (about 5% of the
// rate on the 2-core machine).
std::string field_manager_query() {
  return "?fieldManager=" + dr::kube::WriteOptions{}.field_manager;
}
const char* const kAcceptHeader = "Accept: application/json";

Round fire(const Tls& tls, const std::vector<Write>& writes, long parallel, bool bare) {
  CURLM* multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
  curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, parallel);
  curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, parallel);
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/merge-patch+json");
  headers = curl_slist_append(headers, "Expect:");
  if (!bare) {
    headers = curl_slist_append(headers, kAcceptHeader);
    headers = curl_slist_append(headers, ("User-Agent: " + dr::kube::default_user_agent()).c_str());
  }
  std::vector<CURL*> idle;
  std::vector<std::string> urls(writes.size());
  const std::string query = bare ? std::string() : field_manager_query();
  std::size_t next = 0, running = 0;
  Round round;
  auto start_one = [&] {
    const Write& w = writes[next];
    urls[next] = tls.server + w.path + query;
    CURL* easy = nullptr;
    if (!idle.empty()) {
      easy = idle.back();
      idle.pop_back();
      curl_easy_reset(easy);
    } else {
      easy = curl_easy_init();
    }
    configure(easy, tls);
    curl_easy_setopt(easy, CURLOPT_URL, urls[next].c_str());
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, "PATCH");
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, w.body.c_str());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, static_cast<long>(w.body.size()));
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &discard);
    if (parallel > 1) curl_easy_setopt(easy, CURLOPT_PIPEWAIT, 1L);
    curl_multi_add_handle(multi, easy);
    ++next;
    ++running;
  };
  const auto started = std::chrono::steady_clock::now();
  while (next < writes.size() || running > 0) {
    while (next < writes.size() && running < static_cast<std::size_t>(parallel)) start_one();
    int still = 0;
    curl_multi_perform(multi, &still);
    int pending = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &pending)) {
      if (msg->msg != CURLMSG_DONE) continue;
      long status = 0;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
      if (msg->data.result == CURLE_OK && status >= 200 && status < 300)
        ++round.ok;
      else
        ++round.failed;
      curl_multi_remove_handle(multi, msg->easy_handle);
      idle.push_back(msg->easy_handle);
      --running;
    }
    if (running > 0 && (next >= writes.size() || running >= static_cast<std::size_t>(parallel)))
      curl_multi_poll(multi, nullptr, 0, 100, nullptr);
  }
  round.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  for (CURL* easy : idle) curl_easy_cleanup(easy);
  curl_slist_free_all(headers);
  curl_multi_cleanup(multi);
  return round;
}

}  // namespace

int main(int argc, char** argv) {
  Tls tls;
  std::vector<long> parallels = {32};
  bool minimum = false;
  bool workloads_only = false;
  bool bare = false;
  std::string get_path;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "error: missing value for " << arg << "\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--server") {
      tls.server = value();
    } else if (arg == "--cacert") {
      tls.cacert = value();
    } else if (arg == "--cert") {
      tls.cert = value();
    } else if (arg == "--key") {
      tls.key = value();
    } else if (arg == "--parallel") {
      parallels.clear();
      std::stringstream list(value());
      std::string part;
      while (std::getline(list, part, ',')) parallels.push_back(std::max(1L, std::atol(part.c_str())));
    } else if (arg == "--minimum") {
      minimum = true;
    } else if (arg == "--workloads-only") {
      workloads_only = true;
    } else if (arg == "--bare") {
      bare = true;
    } else if (arg == "--get") {
      get_path = value();
    } else {
      std::cerr
          << "usage: patch-loadgen --server URL --cacert F --cert F --key F [--parallel P,...] [--minimum]"
             " [--workloads-only] [--bare] [--get PATH]\n";
      return 2;
    }
  }
  if (tls.server.empty() || tls.cacert.empty() || tls.cert.empty() || tls.key.empty()) {
    std::cerr << "error: --server, --cacert, --cert and --key are required\n";
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  CURL* easy = curl_easy_init();
  if (!get_path.empty()) {
    configure(easy, tls);
    std::string url = tls.server + get_path;
    curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard);
    CURLcode code = curl_easy_perform(easy);
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    if (code != CURLE_OK || status / 100 != 2) {
      std::cerr << "error: GET " << url << ": " << curl_easy_strerror(code) << ", HTTP " << status << "\n";
      return 1;
    }
    return 0;
  }
  if (minimum) {
    Plan p = plan(easy, tls, false);
    int pages = p.pages;
    pages += list_all(easy, tls, "/apis/stork.libopenstorage.org/v1alpha1/applicationregistrations",
                      [](const rapidjson::Value&) {});
    std::size_t schedules = 0;
    pages += list_all(easy, tls, kSchedules, [&](const rapidjson::Value& item) {
      const auto* activated = at(item, {"status", "applicationActivated"});
      if (activated && activated->IsBool() && activated->GetBool()) return;
      if (migrates_any(item, p.managed_namespaces)) ++schedules;
    });
    std::cout << "{\"lists\":" << pages << ",\"writes\":" << p.needed << ",\"schedules\":" << schedules
              << ",\"minimum\":" << pages + p.needed + schedules << "}\n";
  } else {
    for (long parallel : parallels) {
      Plan p = plan(easy, tls, !workloads_only);
      Round r = fire(tls, p.writes, parallel, bare);
      std::printf(
          "{\"parallel\":%ld,\"writes\":%zu,\"scheduleWrites\":%zu,\"ok\":%zu,\"failed\":%zu,"
          "\"seconds\":%.3f,\"writesPerSecond\":%.1f}\n",
          parallel, p.writes.size(), p.schedule_writes, r.ok, r.failed, r.seconds,
          r.seconds > 0 ? static_cast<double>(r.ok) / r.seconds : 0.0);
    }
  }
  curl_easy_cleanup(easy);
  curl_global_cleanup();
  return 0;
}
