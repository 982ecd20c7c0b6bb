// Serves one Cluster over HTTP(S) the way kube-apiserver does: discovery, the REST verbs, watches,
// server-side Tables for kubectl, Status errors, authentication (client certificates or a bearer
// token), a deny list answering 403, fault injection, and an admin API under /emulator/.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "certs.hpp"
#include "store.hpp"

namespace httplib {
class Server;
}

namespace emu {

struct Faults {
  double error_rate = 0;         // 500/503 answered instead of the request
  std::vector<int> error_codes{500, 503};
  double throttle_rate = 0;      // 429 with Retry-After
  int retry_after_seconds = 1;
  double drop_rate = 0;          // connection closed mid-response
  int latency_ms = 0;            // added to every API request
};

struct ServerOptions {
  bool tls = true;
  std::string token;                 // token mode: this bearer token authenticates
  std::set<std::string> deny;        // "verb:resource" answered 403
  Faults faults;
  std::string request_log_path;
};

class ClusterServer {
 public:
  ClusterServer(std::shared_ptr<Cluster> cluster, const Pki& pki, ServerOptions options);
  ~ClusterServer();

  // Binds 127.0.0.1:port (0 = any free port) and serves in a background thread.
  bool start(int port);
  void stop();
  int port() const { return port_; }
  std::string url() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace emu
