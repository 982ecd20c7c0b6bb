// The HTTP side of one emulated cluster. See server.hpp.
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

namespace {

using Clock = std::chrono::steady_clock;

// ---- request parsing ------------------------------------------------------------------------------

std::vector<std::string> split_path(const std::string& path) {
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

std::string param(const httplib::Request& req, const char* key) {
  return req.has_param(key) ? req.get_param_value(key) : std::string();
}

bool truthy(const std::string& v) {
  return v == "1" || v == "true" || v == "True";
}

std::string query_string(const httplib::Request& req) {
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

std::string lower_verb(const std::string& method, const Target& t, bool watch) {
  if (method == "GET") return t.name.empty() ? (watch ? "watch" : "list") : "get";
  if (method == "POST") return "create";
  if (method == "PUT") return "update";
  if (method == "PATCH") return "patch";
  if (method == "DELETE") return t.name.empty() ? "deletecollection" : "delete";
  return "unknown";
}

// ---- TLS --------------------------------------------------------------------------------------------

X509* read_cert(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return cert;
}

EVP_PKEY* read_key(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return key;
}

// The verified client certificate's common name ("" when none was presented and verified).
std::string client_cert_user(const httplib::Request& req) {
  if (req.ssl == nullptr) return "";
  SSL* ssl = const_cast<SSL*>(req.ssl);
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (cert == nullptr) return "";
  std::string user;
  if (SSL_get_verify_result(ssl) == X509_V_OK) {
    char cn[256] = {0};
    if (X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn) > 0) user = cn;
  }
  X509_free(cert);
  return user;
}

void write_json(httplib::Response& res, int code, const std::string& body) {
  res.status = code;
  res.set_content(body, "application/json");
}

void write_status(httplib::Response& res, const StatusError& e) {
  if (e.retry_after_seconds > 0) res.set_header("Retry-After", std::to_string(e.retry_after_seconds));
  write_json(res, e.code, e.to_json());
}

std::string kind_of_list(const ResourceType& t) {
  return t.list_kind.empty() ? t.kind + "List" : t.list_kind;
}

}  // namespace

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

  std::unique_ptr<httplib::Server> make_server() {
    std::unique_ptr<httplib::Server> s;
    if (options.tls) {
      const Pki& p = pki;
      s = std::make_unique<httplib::SSLServer>([&p](SSL_CTX& ctx) {
        X509* cert = read_cert(p.server_cert);
        EVP_PKEY* key = read_key(p.server_key);
        X509* ca = read_cert(p.ca_cert);
        bool ok = cert != nullptr && key != nullptr && ca != nullptr &&
                  SSL_CTX_use_certificate(&ctx, cert) == 1 && SSL_CTX_use_PrivateKey(&ctx, key) == 1;
        if (ok) {
          X509_STORE_add_cert(SSL_CTX_get_cert_store(&ctx), ca);
          SSL_CTX_add_client_CA(&ctx, ca);
          // Ask for a client certificate and verify one when given; requests without one may
          // still authenticate with a bearer token (else 401), as kube-apiserver does.
          SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER, nullptr);
          // Clients resume TLS sessions on their later connections (libcurl does), and
          // kube-apiserver's crypto/tls takes them. With peer verification on, OpenSSL refuses a
          // resumption with an "internal error" alert unless the sessions have a context.
          static constexpr unsigned char kSessionContext[] = "kube-emulator";
          ok = SSL_CTX_set_session_id_context(&ctx, kSessionContext, sizeof kSessionContext - 1) == 1;
          // Go's crypto/tls sends one TLS 1.3 session ticket per connection; OpenSSL's default is two,
          // each costing the server a copy of the session with the client's certificate decoded again.
          ok = ok && SSL_CTX_set_num_tickets(&ctx, 1) == 1;
        }
        if (cert != nullptr) X509_free(cert);
        if (key != nullptr) EVP_PKEY_free(key);
        if (ca != nullptr) X509_free(ca);
        return ok;
      });
    } else {
      s = std::make_unique<httplib::Server>();
    }
    std::size_t threads = options.threads;
    s->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    // Go's net package (so kube-apiserver) disables Nagle on every connection; without this, a
    // response written in two parts waits for the client's delayed ACK (40 ms) on reused connections.
    s->set_tcp_nodelay(true);
    // cpp-httplib (Debian's compiled 0.11) listens with a backlog of 5; Go's net.Listen, so
    // kube-apiserver, uses the kernel's somaxconn. With 5, a client opening its connection pool at
    // once has SYNs dropped and waits out the 1 s SYN retransmit. The socket is remembered here and
    // listened on again with the full backlog once bound (Linux updates a listening socket's backlog).
    s->set_socket_options([this](int sock) {
      httplib::default_socket_options(sock);
      listen_socket = sock;
    });
    s->set_keep_alive_max_count(1'000'000);
    s->set_keep_alive_timeout(90);
    s->set_read_timeout(60);
    s->set_write_timeout(60);
    s->set_payload_max_length(64 * 1024 * 1024);
    auto handler = [this](const httplib::Request& req, httplib::Response& res) { dispatch(req, res); };
    s->Get(".*", handler);
    s->Post(".*", handler);
    s->Put(".*", handler);
    s->Patch(".*", handler);
    s->Delete(".*", handler);
    s->Options(".*", handler);
    return s;
  }

  bool listen(int wanted, std::string& error) {
    std::lock_guard lock(server_mutex);
    listen_socket = -1;
    server = make_server();
    if (!server->is_valid()) {
      error = "could not set up the TLS context";
      return false;
    }
    int bound = wanted == 0 ? server->bind_to_any_port("127.0.0.1")
                            : (server->bind_to_port("127.0.0.1", wanted) ? wanted : -1);
    if (bound <= 0) {
      error = "could not bind 127.0.0.1:" + std::to_string(wanted);
      return false;
    }
    if (listen_socket >= 0 && ::listen(listen_socket, SOMAXCONN) != 0) {
      error = std::string("could not widen the listen backlog: ") + std::strerror(errno);
      return false;
    }
    port = bound;
    httplib::Server* s = server.get();
    thread = std::thread([s] { s->listen_after_bind(); });
    running = true;
    return true;
  }

  void close_listener() {
    std::unique_ptr<httplib::Server> s;
    std::thread t;
    {
      std::lock_guard lock(server_mutex);
      if (!running) return;
      running = false;
      s = std::move(server);
      t = std::move(thread);
    }
    stopping = true;  // ends watches so the worker threads can finish
    s->stop();
    if (t.joinable()) t.join();
    stopping = false;
  }

  void set_down(bool down) {
    if (down) {
      close_listener();
    } else {
      std::string error;
      for (int attempt = 0; attempt < 50; ++attempt) {
        if (listen(port, error)) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      std::cerr << "kube-emulator: " << cluster.name() << ": " << error << "\n";
    }
  }

  // ---- dispatch ----

  void dispatch(const httplib::Request& req, httplib::Response& res) {
    auto started = Clock::now();
    stats.begin();
    std::string verb = "other", resource;
    try {
      std::string user = authenticate(req);
      if (req.path.rfind("/emulator/", 0) == 0 || req.path == "/emulator") {
        verb = "admin";
        admin(req, res);
      } else {
        api(req, res, user, verb, resource);
      }
    } catch (const StatusError& e) {
      write_status(res, e);
    } catch (const std::exception& e) {
      write_status(res, errors::internal(e.what()));
    }
    encode_like_kube_apiserver(req, res);
    stats.end(verb, resource, res.status);
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    log.add(req.method, req.path, query_string(req), res.status, ms, req.get_header_value("User-Agent"));
  }

  // kube-apiserver gzips an answer only when the client accepts gzip and the answer is over 128 KiB,
  // at level 1 (k8s.io/apiserver responsewriters), and offers no other encoding. cpp-httplib would
  // compress every JSON answer, at zlib's default level, with brotli when offered: it decides from
  // the request's Accept-Encoding after this handler, so the emulator takes that header out and
  // compresses by itself.
  static void encode_like_kube_apiserver(const httplib::Request& req, httplib::Response& res) {
    constexpr std::size_t kGzipThreshold = 128 * 1024;
    const std::string accepted = req.get_header_value("Accept-Encoding");
    // The request object is cpp-httplib's own, not const; only this handler's view of it is.
    const_cast<httplib::Request&>(req).headers.erase("Accept-Encoding");
    if (!accepts_gzip(accepted) || res.body.size() <= kGzipThreshold || res.has_header("Content-Encoding"))
      return;
    if (res.get_header_value("Content-Type").rfind("application/json", 0) != 0) return;
    std::string compressed;
    if (!gzip_fast(res.body, compressed)) return;
    res.body.swap(compressed);
    res.set_header("Content-Encoding", "gzip");
    res.set_header("Vary", "Accept-Encoding");
  }

  // "gzip" among the codings the client accepts, and not with q=0.
  static bool accepts_gzip(const std::string& accepted) {
    std::size_t at = 0;
    while (at < accepted.size()) {
      std::size_t end = accepted.find(',', at);
      if (end == std::string::npos) end = accepted.size();
      std::string item;
      for (char c : accepted.substr(at, end - at)) {
        if (c != ' ' && c != '\t') item += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
      at = end + 1;
      const std::size_t params = item.find(';');
      if (item.substr(0, params) != "gzip") continue;
      const std::size_t q = item.find(";q=", params == std::string::npos ? item.size() : params);
      return q == std::string::npos || std::strtod(item.c_str() + q + 3, nullptr) > 0;
    }
    return false;
  }

  static bool gzip_fast(const std::string& in, std::string& out) {
    z_stream stream{};
    // windowBits 15 + 16: a gzip header and trailer, not raw zlib.
    if (deflateInit2(&stream, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return false;
    out.resize(deflateBound(&stream, static_cast<uLong>(in.size())));
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    stream.avail_in = static_cast<uInt>(in.size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    const int result = deflate(&stream, Z_FINISH);
    out.resize(stream.total_out);
    deflateEnd(&stream);
    return result == Z_STREAM_END;
  }

  std::string authenticate(const httplib::Request& req) {
    std::string user = client_cert_user(req);
    if (!user.empty()) return user;
    std::string auth = req.get_header_value("Authorization");
    if (!options.token.empty()) {
      if (auth == "Bearer " + options.token) return "admin";
      throw errors::unauthorized();
    }
    if (!options.tls) return "admin";  // plain HTTP without a token: no authentication
    throw errors::unauthorized();
  }

  // ---- faults ----

  void inject(const std::string& verb, httplib::Response& res, bool& drop) {
    FaultConfig c = faults.get();
    if (c.latency_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(c.latency_ms));
    int code = 0, retry_after = 0;
    switch (faults.draw(verb, code, retry_after)) {
      case Faults::Action::None:
        return;
      case Faults::Action::Error:
        if (code == 503)
          throw errors::service_unavailable("the server is currently unable to handle the request");
        if (code == 504) {
          StatusError e(504, "Timeout", "Timeout: request did not complete within the allotted timeout");
          throw e;
        }
        {
          StatusError e(code, code >= 500 ? "InternalError" : "BadRequest",
                        code >= 500 ? "Internal error occurred: injected fault" : "injected fault");
          e.causes.push_back({"", "injected fault", ""});
          throw e;
        }
      case Faults::Action::Throttle:
        // API Priority and Fairness answers in plain text.
        res.status = 429;
        res.set_header("Retry-After", std::to_string(retry_after));
        res.set_content("Too many requests, please try again later.\n", "text/plain; charset=utf-8");
        throw ThrottleDone{};
      case Faults::Action::Drop:
        drop = true;
        return;
    }
  }
  struct ThrottleDone {};

  // Replaces a response body with one that stops half-way and closes the connection.
  static void make_dropping(httplib::Response& res) {
    auto body = std::make_shared<std::string>(res.body);
    res.body.clear();
    std::size_t length = body->size();
    res.set_content_provider(length, "application/json; charset=utf-8",
                             [body](size_t offset, size_t, httplib::DataSink& sink) {
                               if (offset == 0) sink.write(body->data(), body->size() / 2);
                               return false;  // abort: the client sees a truncated response
                             });
  }

  // ---- the Kubernetes API ----

  void api(const httplib::Request& req, httplib::Response& res, const std::string& user, std::string& verb,
           std::string& resource) {
    const std::string& path = req.path;
    if (path == "/healthz" || path == "/livez" || path == "/readyz") {
      res.status = 200;
      res.set_content("ok", "text/plain; charset=utf-8");
      return;
    }
    bool drop = false;
    try {
      auto parts = split_path(path);
      Target target;
      bool is_resource = resolve(parts, target);
      bool watch = truthy(param(req, "watch"));
      if (is_resource) {
        verb = lower_verb(req.method, target, watch);
        resource = target.type->qualified() + (target.sub.empty() ? "" : "/" + target.sub);
      } else {
        verb = req.method == "GET" ? "get" : "other";
      }
      inject(verb, res, drop);
      if (!is_resource) {
        discovery(req, res, parts);
      } else {
        authorize(user, verb, target);
        resource_request(req, res, target, verb);
      }
    } catch (const ThrottleDone&) {
      return;
    }
    if (drop && !res.body.empty()) make_dropping(res);
  }

  // Maps the path to a resource; false for discovery paths (answered by discovery()).
  bool resolve(const std::vector<std::string>& parts, Target& t) {
    std::size_t i = 0;
    if (parts.size() >= 2 && parts[0] == "api") {
      t.version = parts[1];
      i = 2;
    } else if (parts.size() >= 3 && parts[0] == "apis") {
      t.group = parts[1];
      t.version = parts[2];
      i = 3;
    } else {
      return false;
    }
    if (i == parts.size()) return false;
    std::vector<std::string> rest(parts.begin() + static_cast<long>(i), parts.end());
    auto lookup = [&](const std::string& plural) {
      TypeRef type = store.types().find(t.group, t.version, plural);
      if (!type) throw errors::path_not_found();
      return type;
    };
    // namespaces/{ns}/{plural}[/{name}[/{sub}]]
    if (rest[0] == "namespaces" && rest.size() >= 3 &&
        !(t.group.empty() && rest.size() == 3 && (rest[2] == "status" || rest[2] == "finalize"))) {
      t.ns = rest[1];
      t.type = lookup(rest[2]);
      if (!t.type->namespaced) throw errors::path_not_found();
      if (rest.size() >= 4) t.name = rest[3];
      if (rest.size() >= 5) t.sub = rest[4];
      if (rest.size() > 5) throw errors::path_not_found();
    } else {
      t.type = lookup(rest[0]);
      if (rest.size() >= 2) {
        if (t.type->namespaced)
          throw errors::path_not_found();  // a namespaced kind by name needs a namespace
        t.name = rest[1];
      }
      if (rest.size() >= 3) t.sub = rest[2];
      if (rest.size() > 3) throw errors::path_not_found();
    }
    if (!t.sub.empty()) {
      if (t.sub == "status" && !t.type->status_subresource) throw errors::path_not_found();
      if (t.sub == "scale" && !t.type->scale_subresource) throw errors::path_not_found();
      if (t.sub != "status" && t.sub != "scale") throw errors::path_not_found();
    }
    return true;
  }

  void authorize(const std::string& user, const std::string& verb, const Target& t) {
    std::lock_guard lock(deny_mutex);
    if (deny.empty()) return;
    const ResourceType& type = *t.type;
    std::string res_name = type.plural + (t.sub.empty() ? "" : "/" + t.sub);
    bool denied = false;
    for (const auto& entry : deny) {
      auto colon = entry.find(':');
      if (colon == std::string::npos) continue;
      std::string v = entry.substr(0, colon), r = entry.substr(colon + 1), only_ns;
      // VERB:RESOURCE:NAMESPACE denies in one namespace only, as a RoleBinding missing there would.
      if (auto second = r.find(':'); second != std::string::npos) {
        only_ns = r.substr(second + 1);
        r = r.substr(0, second);
      }
      if (!only_ns.empty() && only_ns != t.ns) continue;
      bool verb_ok = v == "*" || v == verb;
      bool res_ok = r == "*" || r == type.plural || r == type.qualified() || r == res_name ||
                    r == type.qualified() + (t.sub.empty() ? "" : "/" + t.sub);
      if (verb_ok && res_ok) denied = true;
    }
    if (!denied) return;
    std::string message = "User \"" + user + "\" cannot " + verb + " resource \"" + res_name +
                          "\" in API group \"" + type.group + "\"";
    message += t.ns.empty() ? " at the cluster scope" : " in the namespace \"" + t.ns + "\"";
    std::string full =
        type.qualified() + (t.name.empty() ? "" : " \"" + t.name + "\"") + " is forbidden: " + message;
    StatusError e = errors::forbidden(full);
    e.name = t.name;
    e.group = type.group;
    e.kind = type.plural;
    throw e;
  }

  void discovery(const httplib::Request& req, httplib::Response& res, const std::vector<std::string>& parts) {
    if (req.method != "GET") throw errors::path_not_found();
    if (parts.size() == 1 && parts[0] == "version") return write_json(res, 200, version_json());
    if (parts.size() == 2 && parts[0] == "openapi" && parts[1] == "v3") {
      return write_json(res, 200, openapi_v3_root_json(store.types()));
    }
    if (parts.size() == 2 && parts[0] == "openapi" && parts[1] == "v2") {
      bool pb = req.get_header_value("Accept").find("protobuf") != std::string::npos;
      res.status = 200;
      res.set_header("Cache-Control", "no-cache, private");
      if (pb) {
        res.set_content(openapi_v2_protobuf(), "application/com.github.proto-openapi.spec.v2.v1.0+protobuf");
      } else {
        res.set_content(openapi_v2_json(), "application/json");
      }
      return;
    }
    if (parts.size() >= 4 && parts[0] == "openapi" && parts[1] == "v3") {
      std::string gv;
      for (std::size_t i = 2; i < parts.size(); ++i) gv += (i > 2 ? "/" : "") + parts[i];
      if (auto body = openapi_v3_group_version_json(store.types(), gv)) return write_json(res, 200, *body);
    }
    if (parts.size() == 1 && parts[0] == "api") return write_json(res, 200, api_versions_json(port));
    if (parts.size() == 1 && parts[0] == "apis")
      return write_json(res, 200, api_group_list_json(store.types()));
    if (parts.size() == 2 && parts[0] == "api") {
      if (auto body = api_resource_list_json(store.types(), "", parts[1])) return write_json(res, 200, *body);
    }
    if (parts.size() == 2 && parts[0] == "apis") {
      if (auto body = api_group_json(store.types(), parts[1])) return write_json(res, 200, *body);
    }
    if (parts.size() == 3 && parts[0] == "apis") {
      if (auto body = api_resource_list_json(store.types(), parts[1], parts[2]))
        return write_json(res, 200, *body);
    }
    throw errors::path_not_found();
  }

  // ---- resource verbs ----

  static bool wants_table(const httplib::Request& req) {
    return req.get_header_value("Accept").find("as=Table") != std::string::npos;
  }

  static bool dry_run(const httplib::Request& req) {
    if (!req.has_param("dryRun")) return false;
    for (std::size_t i = 0; i < req.get_param_value_count("dryRun"); ++i) {
      std::string v = req.get_param_value("dryRun", i);
      if (v != "All") {
        throw errors::bad_request("Invalid dry run value: " + v);
      }
    }
    return true;
  }

  static rapidjson::Document body_json(const httplib::Request& req) {
    std::string type = req.get_header_value("Content-Type");
    if (type.find("application/vnd.kubernetes.protobuf") != std::string::npos)
      return decode_protobuf(req.body);
    if (type.find("cbor") != std::string::npos) {
      throw errors::unsupported_media_type(
          "the body of the request was in an unknown format - accepted media types include: "
          "application/json, "
          "application/yaml");
    }
    rapidjson::Document d;
    d.Parse(req.body.data(), req.body.size());
    if (d.HasParseError()) {
      throw errors::bad_request(
          "couldn't get version/kind; json parse error: invalid character looking for beginning of value");
    }
    return d;
  }

  void resource_request(const httplib::Request& req, httplib::Response& res, const Target& t,
                        const std::string& verb) {
    const ResourceType& type = *t.type;
    if (verb == "watch") return watch(req, res, t);
    if (verb == "list") return list(req, res, t);
    if (verb == "get") {
      Object obj = store.get(type, t.ns, t.name, t.sub);
      if (wants_table(req) && t.sub.empty()) {
        return write_json(
            res, 200,
            table_json(type, {obj},
                       std::strtoull(str_at(*obj, {"metadata", "resourceVersion"}).c_str(), nullptr, 10), "",
                       include_object(req)));
      }
      return write_json(res, 200, to_json(*obj));
    }
    WriteOptions w;
    w.dry_run = dry_run(req);
    w.subresource = t.sub;
    w.field_manager = param(req, "fieldManager");
    w.force = truthy(param(req, "force"));
    w.field_validation = param(req, "fieldValidation");
    std::vector<std::string> warnings;
    w.warnings = &warnings;
    struct WarningHeaders {  // on the answer, success or failure, as the apiserver's warning recorder
      httplib::Response& res;
      std::vector<std::string>& warnings;
      ~WarningHeaders() {
        for (const auto& text : warnings) {
          std::string quoted = "\"";
          for (char c : text) {
            if (c == '"' || c == '\\') quoted += '\\';
            quoted += c;
          }
          res.set_header("Warning", "299 - " + quoted + "\"");
        }
      }
    } warning_headers{res, warnings};
    if (verb == "create") {
      if (!t.sub.empty())
        throw errors::method_not_allowed("the server does not allow this method on the requested resource");
      if (type.namespaced && t.ns.empty()) throw errors::path_not_found();
      Object obj = store.create(type, t.ns, body_json(req), w);
      return write_json(res, 201, to_json(*obj));
    }
    if (verb == "update") {
      Object obj = store.update(type, t.ns, t.name, body_json(req), w);
      return write_json(res, 200, to_json(*obj));
    }
    if (verb == "patch") {
      std::string ct = req.get_header_value("Content-Type");
      if (auto semi = ct.find(';'); semi != std::string::npos) ct = ct.substr(0, semi);
      PatchType pt;
      if (ct == "application/merge-patch+json") {
        pt = PatchType::Merge;
      } else if (ct == "application/json-patch+json") {
        pt = PatchType::Json;
      } else if (ct == "application/strategic-merge-patch+json") {
        pt = PatchType::Strategic;
      } else if (ct == "application/apply-patch+yaml") {
        pt = PatchType::Apply;
      } else {
        std::string accepted =
            type.builtin
                ? "application/json-patch+json, application/merge-patch+json, "
                  "application/strategic-merge-patch+json, application/apply-patch+yaml"
                : "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml";
        throw errors::unsupported_media_type(
            "the body of the request was in an unknown format - accepted media types include: " + accepted);
      }
      bool existed = pt == PatchType::Apply && store.find(type, t.ns, t.name) != nullptr;
      Object obj = store.patch(type, t.ns, t.name, pt, req.body, w);
      return write_json(res, pt == PatchType::Apply && !existed ? 201 : 200, to_json(*obj));
    }
    if (verb == "delete") return remove(req, res, t);
    if (verb == "deletecollection") {
      ListOptions lo = list_options(req);
      DeleteOptions d;
      d.dry_run = dry_run(req);
      auto removed = store.remove_collection(type, t.ns, lo, d);
      return write_json(res, 200, list_json(type, removed, store.resource_version(), "", std::nullopt));
    }
    throw errors::method_not_allowed("the server does not allow this method on the requested resource");
  }

  static std::string include_object(const httplib::Request& req) {
    std::string v = param(req, "includeObject");
    return v.empty() ? "Metadata" : v;
  }

  static ListOptions list_options(const httplib::Request& req) {
    ListOptions o;
    o.label_selector = param(req, "labelSelector");
    o.field_selector = param(req, "fieldSelector");
    o.continue_token = param(req, "continue");
    o.resource_version = param(req, "resourceVersion");
    std::string limit = param(req, "limit");
    if (!limit.empty()) {
      char* end = nullptr;
      long long n = std::strtoll(limit.c_str(), &end, 10);
      if (end == nullptr || *end != '\0') {
        throw errors::bad_request("strconv.ParseInt: parsing " + std::string("\"") + limit +
                                  "\": invalid syntax");
      }
      o.limit = n > 0 ? static_cast<std::size_t>(n) : 0;
    }
    return o;
  }

  static std::string list_json(const ResourceType& type, const std::vector<Object>& items, std::uint64_t rv,
                               const std::string& continue_token, std::optional<std::int64_t> remaining) {
    rapidjson::StringBuffer b;
    rapidjson::Writer<rapidjson::StringBuffer> w(b);
    w.StartObject();
    w.Key("kind");
    w.String(kind_of_list(type));
    w.Key("apiVersion");
    w.String(type.api_version());
    w.Key("metadata");
    w.StartObject();
    w.Key("resourceVersion");
    w.String(std::to_string(rv));
    if (!continue_token.empty()) {
      w.Key("continue");
      w.String(continue_token);
    }
    if (remaining) {
      w.Key("remainingItemCount");
      w.Int64(*remaining);
    }
    w.EndObject();
    w.Key("items");
    w.StartArray();
    for (const auto& item : items) item->Accept(w);
    w.EndArray();
    w.EndObject();
    return std::string(b.GetString(), b.GetSize());
  }

  void list(const httplib::Request& req, httplib::Response& res, const Target& t) {
    ListOptions o = list_options(req);
    ListResult r = store.list(*t.type, t.ns, o);
    if (wants_table(req)) {
      return write_json(
          res, 200, table_json(*t.type, r.items, r.resource_version, r.continue_token, include_object(req)));
    }
    write_json(res, 200, list_json(*t.type, r.items, r.resource_version, r.continue_token, r.remaining));
  }

  void remove(const httplib::Request& req, httplib::Response& res, const Target& t) {
    const ResourceType& type = *t.type;
    if (!t.sub.empty())
      throw errors::method_not_allowed("the server does not allow this method on the requested resource");
    DeleteOptions d;
    d.dry_run = dry_run(req);
    if (!req.body.empty()) {
      rapidjson::Document body;
      body.Parse(req.body.data(), req.body.size());
      if (body.HasParseError() || !body.IsObject())
        throw errors::bad_request("couldn't get version/kind; json parse error");
      if (const rapidjson::Value* p = value_at(body, {"preconditions"}); p != nullptr && p->IsObject()) {
        if (const rapidjson::Value* u = value_at(*p, {"uid"}); u != nullptr && u->IsString())
          d.precondition_uid = u->GetString();
        if (const rapidjson::Value* v = value_at(*p, {"resourceVersion"}); v != nullptr && v->IsString()) {
          d.precondition_resource_version = v->GetString();
        }
      }
      if (const rapidjson::Value* dr = value_at(body, {"dryRun"}); dr != nullptr && dr->IsArray()) {
        for (const auto& v : dr->GetArray())
          d.dry_run = d.dry_run || (v.IsString() && std::string(v.GetString()) == "All");
      }
    }
    Object obj = store.remove(type, t.ns, t.name, d);
    bool still_there = !d.dry_run && value_at(*obj, {"metadata", "deletionTimestamp"}) != nullptr &&
                       store.find(type, t.ns, t.name) != nullptr;
    int code = still_there ? 202 : 200;
    // Most built-in registries answer a Status; pods, namespaces, CRDs and custom resources the object.
    bool returns_object = !type.builtin || type.plural == "pods" || type.plural == "namespaces" ||
                          type.plural == "customresourcedefinitions" || still_there;
    if (returns_object) return write_json(res, code, to_json(*obj));
    rapidjson::StringBuffer b;
    rapidjson::Writer<rapidjson::StringBuffer> w(b);
    w.StartObject();
    w.Key("kind");
    w.String("Status");
    w.Key("apiVersion");
    w.String("v1");
    w.Key("metadata");
    w.StartObject();
    w.EndObject();
    w.Key("status");
    w.String("Success");
    w.Key("details");
    w.StartObject();
    w.Key("name");
    w.String(t.name);
    if (!type.group.empty()) {
      w.Key("group");
      w.String(type.group);
    }
    w.Key("kind");
    w.String(type.plural);
    w.Key("uid");
    w.String(str_at(*obj, {"metadata", "uid"}));
    w.EndObject();
    w.EndObject();
    write_json(res, code, std::string(b.GetString(), b.GetSize()));
  }

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

  static std::string event_line(const char* type, const std::string& object_json) {
    return std::string("{\"type\":\"") + type + "\",\"object\":" + object_json + "}\n";
  }

  static std::string bookmark_json(const ResourceType& type, std::uint64_t rv, bool initial_end) {
    std::string meta = "{\"resourceVersion\":\"" + std::to_string(rv) + "\"";
    if (initial_end) meta += ",\"annotations\":{\"k8s.io/initial-events-end\":\"true\"}";
    meta += "}";
    return "{\"kind\":\"" + type.kind + "\",\"apiVersion\":\"" + type.api_version() +
           "\",\"metadata\":" + meta + "}";
  }

  static std::string render(const WatchState& s, const Object& obj) {
    if (!s.table) return to_json(*obj);
    return table_json(*s.type, {obj},
                      std::strtoull(str_at(*obj, {"metadata", "resourceVersion"}).c_str(), nullptr, 10), "",
                      s.include_object);
  }

  void watch(const httplib::Request& req, httplib::Response& res, const Target& t) {
    auto state = std::make_shared<WatchState>();
    state->type = t.type;
    state->bookmarks = truthy(param(req, "allowWatchBookmarks"));
    state->table = wants_table(req);
    state->include_object = include_object(req);
    std::string timeout = param(req, "timeoutSeconds");
    long long seconds = timeout.empty() ? 1800 : std::strtoll(timeout.c_str(), nullptr, 10);
    if (seconds <= 0) seconds = 1800;
    state->deadline = Clock::now() + std::chrono::seconds(seconds);
    WatchFilter filter;
    filter.type_key = t.type->key();
    filter.ns = t.type->namespaced ? t.ns : "";
    filter.label_selector = param(req, "labelSelector");
    filter.field_selector = param(req, "fieldSelector");
    std::string rv = param(req, "resourceVersion");
    bool send_initial = truthy(param(req, "sendInitialEvents"));
    try {
      if (rv.empty() || rv == "0" || send_initial) {
        if (send_initial && rv.empty()) rv = "";
        ListOptions lo;
        lo.label_selector = filter.label_selector;
        lo.field_selector = filter.field_selector;
        ListResult initial = store.list(*t.type, filter.ns, lo);
        for (const auto& obj : initial.items)
          state->pending.push_back(event_line("ADDED", render(*state, obj)));
        if (send_initial) {
          state->pending.push_back(
              event_line("BOOKMARK", bookmark_json(*t.type, initial.resource_version, true)));
        }
        state->stream = store.watch(filter, std::to_string(initial.resource_version));
      } else {
        state->stream = store.watch(filter, rv);
      }
    } catch (const StatusError& e) {
      if (e.code != 410) throw;
      // The apiserver starts the stream and reports the expired version as an ERROR event.
      state->pending.push_back(event_line("ERROR", e.to_json()));
      state->finish_after_pending = true;
    }
    stats.watch_started();
    res.status = 200;
    std::atomic<bool>* stop = &stopping;
    Store* st = &store;
    Stats* stats_ptr = &stats;
    res.set_chunked_content_provider(
        "application/json;stream=watch",
        [state, stop, st](size_t, httplib::DataSink& sink) {
          auto write = [&](const std::string& line) {
            state->last_sent = Clock::now();
            return sink.write(line.data(), line.size());
          };
          while (!state->pending.empty()) {
            if (!write(state->pending.front())) return false;
            state->pending.pop_front();
          }
          if (state->finish_after_pending || stop->load() || Clock::now() >= state->deadline ||
              (state->stream && state->stream->closed())) {
            sink.done();
            return true;
          }
          auto remaining =
              std::chrono::duration_cast<std::chrono::milliseconds>(state->deadline - Clock::now());
          auto wait = std::min<std::chrono::milliseconds>(remaining, std::chrono::milliseconds(500));
          auto events = state->stream->next(std::max(wait, std::chrono::milliseconds(1)));
          std::string batch;
          for (const auto& e : events) {
            if (e.type == WatchEvent::Type::Bookmark) continue;
            batch += event_line(to_string(e.type), render(*state, e.object));
          }
          if (!batch.empty()) return write(batch);
          if (!sink.is_writable()) return false;
          if (state->bookmarks && Clock::now() - state->last_sent > std::chrono::seconds(5)) {
            return write(event_line("BOOKMARK", bookmark_json(*state->type, st->resource_version(), false)));
          }
          return true;
        },
        [state, stats_ptr](bool) {
          if (state->stream) state->stream->close();
          stats_ptr->watch_ended();
        });
  }

  // ---- admin API ----

  static AdminReply reply(int code, const std::string& body) { return {code, body}; }

  void admin(const httplib::Request& req, httplib::Response& res) {
    std::string target_cluster = param(req, "cluster");
    if (!target_cluster.empty() && target_cluster != cluster.name()) {
      EmulatedCluster* other = cluster.emulator().find_cluster(target_cluster);
      if (other == nullptr)
        return write_json(res, 404, "{\"error\":\"no cluster named " + target_cluster + "\"}");
      // Only cluster-level operations make sense across clusters.
      if (req.path == "/emulator/down" || req.path == "/emulator/up") {
        return down_up(req, res, *other);
      }
      return write_json(res, 400,
                        "{\"error\":\"?cluster= is only supported for /emulator/down and /emulator/up\"}");
    }
    const std::string& p = req.path;
    const std::string& m = req.method;
    auto body = [&]() {
      rapidjson::Document d;
      if (req.body.empty()) {
        d.SetObject();
        return d;
      }
      d.Parse(req.body.data(), req.body.size());
      if (d.HasParseError()) throw std::invalid_argument("the body is not JSON");
      return d;
    };
    try {
      if (p == "/emulator/faults") {
        if (m == "POST" || m == "PUT" || m == "PATCH") faults.update_from_json(body());
        if (m == "DELETE") faults.set(FaultConfig{});
        return write_json(res, 200, faults.to_json());
      }
      if (p == "/emulator/stats") {
        if (m == "DELETE" || (m == "POST" && truthy(param(req, "reset")))) stats.reset();
        return write_json(res, 200, stats.to_json());
      }
      if (p == "/emulator/log") {
        log.flush();
        std::string limit = param(req, "limit");
        return write_json(res, 200, log.recent_json(limit.empty() ? 200 : std::stoul(limit)));
      }
      if (p == "/emulator/compact") {
        store.compact();
        return write_json(res, 200,
                          "{\"compactedRevision\":" + std::to_string(store.compacted_revision()) + "}");
      }
      if (p == "/emulator/history") {
        auto d = body();
        if (const rapidjson::Value* l = value_at(d, {"limit"}); l != nullptr && l->IsUint64()) {
          store.set_history_limit(l->GetUint64());
        }
        return write_json(res, 200,
                          "{\"resourceVersion\":" + std::to_string(store.resource_version()) +
                              ",\"compactedRevision\":" + std::to_string(store.compacted_revision()) + "}");
      }
      if (p == "/emulator/deny") return deny_request(req, res, body);
      if (p == "/emulator/conflicts") return conflicts(res, body());
      if (p == "/emulator/down" || p == "/emulator/up") return down_up(req, res, cluster);
      if (p == "/emulator/snapshot") {
        if (!owner.save_snapshot)
          return write_json(res, 400, "{\"error\":\"snapshots are not enabled (--snapshot)\"}");
        return write_json(res, 200, "{\"path\":\"" + owner.save_snapshot() + "\"}");
      }
      if (p.rfind("/emulator/sim/", 0) == 0) {
        std::string name = p.substr(std::strlen("/emulator/sim/"));
        const auto& handlers = cluster.admin_handlers();
        auto it = handlers.find(name);
        if (it == handlers.end())
          return write_json(res, 404, "{\"error\":\"no simulation endpoint " + name + "\"}");
        AdminReply r = it->second(m, req.body);
        return write_json(res, r.code, r.body);
      }
      if (p == "/emulator/info" || p == "/emulator") {
        std::string handlers;
        for (const auto& [name, h] : cluster.admin_handlers())
          handlers += (handlers.empty() ? "\"" : ",\"") + name + "\"";
        return write_json(res, 200,
                          "{\"cluster\":\"" + cluster.name() + "\",\"port\":" + std::to_string(port) +
                              ",\"resourceVersion\":" + std::to_string(store.resource_version()) +
                              ",\"simulationEndpoints\":[" + handlers + "]}");
      }
    } catch (const std::invalid_argument& e) {
      return write_json(res, 400, "{\"error\":\"" + std::string(e.what()) + "\"}");
    }
    write_json(res, 404, "{\"error\":\"unknown admin endpoint " + p + "\"}");
  }

  template <typename BodyFn>
  void deny_request(const httplib::Request& req, httplib::Response& res, BodyFn body) {
    {
      std::lock_guard lock(deny_mutex);
      if (req.method == "DELETE") deny.clear();
      if (req.method == "POST" || req.method == "PUT") {
        auto d = body();
        auto strings = [&](const char* key, auto fn) {
          const rapidjson::Value* v = value_at(d, {key});
          if (v == nullptr) return;
          if (!v->IsArray())
            throw std::invalid_argument(std::string(key) + " must be an array of \"verb:resource\"");
          for (const auto& s : v->GetArray()) {
            if (!s.IsString() || std::string(s.GetString()).find(':') == std::string::npos) {
              throw std::invalid_argument(std::string(key) + " entries look like \"patch:statefulsets\"");
            }
            fn(std::string(s.GetString()));
          }
        };
        if (value_at(d, {"deny"}) != nullptr) deny.clear();
        strings("deny", [&](const std::string& s) { deny.insert(s); });
        strings("add", [&](const std::string& s) { deny.insert(s); });
        strings("remove", [&](const std::string& s) { deny.erase(s); });
      }
    }
    std::lock_guard lock(deny_mutex);
    std::string out = "{\"deny\":[";
    bool first = true;
    for (const auto& d : deny) {
      out += (first ? "\"" : ",\"") + d + "\"";
      first = false;
    }
    write_json(res, 200, out + "]}");
  }

  void conflicts(httplib::Response& res, const rapidjson::Document& d) {
    std::string group = str_at(d, {"group"}), plural = str_at(d, {"resource"});
    if (auto dot = plural.find('.'); dot != std::string::npos) {
      group = plural.substr(dot + 1);
      plural = plural.substr(0, dot);
    }
    TypeRef type = store.types().find(group, plural);
    if (!type) throw std::invalid_argument("unknown resource " + plural + (group.empty() ? "" : "." + group));
    const rapidjson::Value* count = value_at(d, {"count"});
    int n = count != nullptr && count->IsInt() ? count->GetInt() : 1;
    store.force_conflicts(*type, str_at(d, {"namespace"}), str_at(d, {"name"}), n);
    write_json(res, 200, "{\"resource\":\"" + type->qualified() + "\",\"count\":" + std::to_string(n) + "}");
  }

  void down_up(const httplib::Request& req, httplib::Response& res, EmulatedCluster& which) {
    if (req.path == "/emulator/up") {
      std::thread([&which] { which.up(); }).detach();
      return write_json(res, 200, "{\"cluster\":\"" + which.name() + "\",\"down\":false}");
    }
    long long ms = 0;
    std::string duration = param(req, "duration");
    if (!duration.empty()) {
      char* end = nullptr;
      double v = std::strtod(duration.c_str(), &end);
      std::string unit = end != nullptr ? end : "";
      if (unit.empty() || unit == "s") {
        ms = static_cast<long long>(v * 1000);
      } else if (unit == "ms") {
        ms = static_cast<long long>(v);
      } else if (unit == "m") {
        ms = static_cast<long long>(v * 60000);
      } else {
        return write_json(res, 400, "{\"error\":\"duration looks like 5s, 500ms or 2m\"}");
      }
    }
    // Answer first; the listener closes right after.
    std::thread([&which, ms] {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      which.down(std::chrono::milliseconds(ms));
    }).detach();
    write_json(
        res, 200,
        "{\"cluster\":\"" + which.name() + "\",\"down\":true,\"duration_ms\":" + std::to_string(ms) + "}");
  }
};

ClusterServer::ClusterServer(EmulatedCluster& cluster, const Pki& pki, ServerOptions options)
    : impl_(std::make_unique<Impl>(*this, cluster, pki, std::move(options))) {
  Impl* impl = impl_.get();
  cluster.on_down_change = [impl](bool down) { impl->set_down(down); };
}

ClusterServer::~ClusterServer() {
  stop();
}

bool ClusterServer::start(int port, std::string& error) {
  return impl_->listen(port, error);
}

void ClusterServer::stop() {
  impl_->cluster.on_down_change = nullptr;
  impl_->close_listener();
  impl_->log.flush();
}

int ClusterServer::port() const {
  return impl_->port;
}

std::string ClusterServer::url() const {
  return std::string(impl_->options.tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(impl_->port);
}

}  // namespace emu
