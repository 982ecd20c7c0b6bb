// The inside of ClusterServer, shared by its sources: server.cpp (the listener, dispatch, content
// encoding, authentication, faults), server_api.cpp (discovery and the REST verbs), server_watch.cpp
// (watches) and server_admin.cpp (the admin API under /emulator/). Not for use outside them.
#pragma once

#include "server.hpp"

#include <httplib.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sys/socket.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <thread>

#include "discovery.hpp"
#include "protobuf.hpp"
#include "table.hpp"

namespace emu {

using Clock = std::chrono::steady_clock;

// ---- request parsing ------------------------------------------------------------------------------

inline std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t start = 1;
  while (start <= path.size()) {
    auto slash = path.find('/', start);
    std::string part = path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (!part.empty()) parts.push_back(part);
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return parts;
}

inline std::string param(const httplib::Request& req, const char* key) {
  return req.has_param(key) ? req.get_param_value(key) : std::string();
}

inline bool truthy(const std::string& v) {
  return v == "1" || v == "true" || v == "True";
}

inline std::string query_string(const httplib::Request& req) {
  std::string q;
  for (const auto& [k, v] : req.params) q += (q.empty() ? "" : "&") + k + "=" + v;
  return q;
}

// What an API path addresses.
struct Target {
  std::string group, version;
  TypeRef type;
  std::string ns;    // namespace of the request ("" for cluster scope)
  std::string name;  // "" for collections
  std::string sub;   // "", "status", "scale"
};

inline std::string lower_verb(const std::string& method, const Target& t, bool watch) {
  if (method == "GET") return t.name.empty() ? (watch ? "watch" : "list") : "get";
  if (method == "POST") return "create";
  if (method == "PUT") return "update";
  if (method == "PATCH") return "patch";
  if (method == "DELETE") return t.name.empty() ? "deletecollection" : "delete";
  return "unknown";
}

inline void write_json(httplib::Response& res, int code, const std::string& body) {
  res.status = code;
  res.set_content(body, "application/json");
}

inline void write_status(httplib::Response& res, const StatusError& e) {
  if (e.retry_after_seconds > 0) res.set_header("Retry-After", std::to_string(e.retry_after_seconds));
  write_json(res, e.code, e.to_json());
}

inline std::string kind_of_list(const ResourceType& t) {
  return t.list_kind.empty() ? t.kind + "List" : t.list_kind;
}

// ---------------------------------------------------------------------------------------------------

struct ClusterServer::Impl {
  ClusterServer& owner;
  EmulatedCluster& cluster;
  Store& store;
  Pki pki;
  ServerOptions options;
  Faults faults;
  Stats stats;
  RequestLog log;
  std::mutex deny_mutex;
  std::set<std::string> deny;

  std::mutex server_mutex;
  std::unique_ptr<httplib::Server> server;
  std::thread thread;
  int listen_socket = -1;  // the bound socket of `server`, set while it binds
  int port = 0;
  std::atomic<bool> stopping{false};
  std::atomic<bool> running{false};

  Impl(ClusterServer& o, EmulatedCluster& c, const Pki& p, ServerOptions opts)
      : owner(o),
        cluster(c),
        store(c.store()),
        pki(p),
        options(std::move(opts)),
        log(options.request_log_path) {
    faults.set(options.faults);
    deny = options.deny;
  }

  // ---- server lifecycle ----

  std::unique_ptr<httplib::Server> make_server();

  bool listen(int wanted, std::string& error);

  void close_listener();

  void set_down(bool down);

  // ---- dispatch ----

  void dispatch(const httplib::Request& req, httplib::Response& res);

  // kube-apiserver gzips an answer only when the client accepts gzip and the answer is over 128 KiB,
  // at level 1 (k8s.io/apiserver responsewriters), and offers no other encoding. cpp-httplib would
  // compress every JSON answer, at zlib's default level, with brotli when offered: it decides from
  // the request's Accept-Encoding after this handler, so the emulator takes that header out and
  // compresses by itself.
  static void encode_like_kube_apiserver(const httplib::Request& req, httplib::Response& res);

  // "gzip" among the codings the client accepts, and not with q=0.
  static bool accepts_gzip(const std::string& accepted);

  static bool gzip_fast(const std::string& in, std::string& out);

  std::string authenticate(const httplib::Request& req);

  // ---- faults ----

  void inject(const std::string& verb, httplib::Response& res, bool& drop);
  struct ThrottleDone {};

  // Replaces a response body with one that stops half-way and closes the connection.
  static void make_dropping(httplib::Response& res);

  // ---- the Kubernetes API ----

  void api(const httplib::Request& req, httplib::Response& res, const std::string& user, std::string& verb,
           std::string& resource);

  // Maps the path to a resource; false for discovery paths (answered by discovery()).
  bool resolve(const std::vector<std::string>& parts, Target& t);

  void authorize(const std::string& user, const std::string& verb, const Target& t);

  void discovery(const httplib::Request& req, httplib::Response& res, const std::vector<std::string>& parts);

  // ---- resource verbs ----

  static bool wants_table(const httplib::Request& req);

  static bool dry_run(const httplib::Request& req);

  static rapidjson::Document body_json(const httplib::Request& req);

  void resource_request(const httplib::Request& req, httplib::Response& res, const Target& t,
                        const std::string& verb);

  static std::string include_object(const httplib::Request& req);

  static ListOptions list_options(const httplib::Request& req);

  static std::string list_json(const ResourceType& type, const std::vector<Object>& items, std::uint64_t rv,
                               const std::string& continue_token, std::optional<std::int64_t> remaining);

  void list(const httplib::Request& req, httplib::Response& res, const Target& t);

  void remove(const httplib::Request& req, httplib::Response& res, const Target& t);

  // ---- watch ----

  struct WatchState {
    std::shared_ptr<WatchStream> stream;
    std::deque<std::string> pending;  // lines to send first (initial events, an ERROR)
    Clock::time_point deadline;
    Clock::time_point last_sent = Clock::now();
    bool bookmarks = false;
    bool table = false;
    bool finish_after_pending = false;
    std::string include_object;
    TypeRef type;
  };

  static std::string event_line(const char* type, const std::string& object_json);

  static std::string bookmark_json(const ResourceType& type, std::uint64_t rv, bool initial_end);

  static std::string render(const WatchState& s, const Object& obj);

  void watch(const httplib::Request& req, httplib::Response& res, const Target& t);

  // ---- admin API ----

  static AdminReply reply(int code, const std::string& body) { return {code, body}; }

  void admin(const httplib::Request& req, httplib::Response& res);

  template <typename BodyFn>
  void deny_request(const httplib::Request& req, httplib::Response& res, BodyFn body);

  void conflicts(httplib::Response& res, const rapidjson::Document& d);

  void down_up(const httplib::Request& req, httplib::Response& res, EmulatedCluster& which);
};

}  // namespace emu
