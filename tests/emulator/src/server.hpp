// Serves one EmulatedCluster over HTTPS (or plain HTTP) the way kube-apiserver does: discovery, the
// REST verbs, watches, server-side Tables, Status errors, authentication (client certificate or
// bearer token), a deny list answering 403, fault injection, and the admin API under /emulator/.
#pragma once

#include <memory>
#include <set>
#include <string>

#include "certs.hpp"
#include "emulator.hpp"
#include "faults.hpp"

namespace emu {

struct ServerOptions {
  bool tls = true;
  std::string token;           // when set, "Authorization: Bearer <token>" authenticates as admin
  std::set<std::string> deny;  // "verb:resource" answered 403 (resource: plural, plural.group, or *)
  FaultConfig faults;
  std::string request_log_path;  // empty: no log file
  std::string state_dir;         // for the TLS files and /emulator/snapshot
  std::size_t threads = 128;     // worker threads (connections served at once, watches included)
};

class ClusterServer {
 public:
  ClusterServer(EmulatedCluster& cluster, const Pki& pki, ServerOptions options);
  ~ClusterServer();
  ClusterServer(const ClusterServer&) = delete;
  ClusterServer& operator=(const ClusterServer&) = delete;

  // Binds 127.0.0.1:port (0 = a free port) and serves on a background thread. Error text on failure.
  bool start(int port, std::string& error);
  void stop();
  int port() const;
  std::string url() const;

  // Snapshot persistence hook for POST /emulator/snapshot (set by main).
  std::function<std::string()> save_snapshot;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace emu
