#include "server.hpp"

#include <httplib.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <chrono>
#include <fstream>
#include <random>
#include <sstream>

#include "selectors.hpp"
#include "table.hpp"

namespace emu {

namespace {

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t start = 1;
  while (start <= path.size()) {
    auto slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    if (slash > start) parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

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

const std::string kVerbs = R"(["create","delete","deletecollection","get","list","patch","update","watch"])";

}  // namespace

// A parsed API request path.
struct Target {
  bool valid = false;
  std::string group;
  std::string version;
  std::string plural;
  std::string ns;
  std::string name;
  std::string sub;
};

struct ClusterServer::Impl {
  std::shared_ptr<Cluster> cluster;
  Pki pki;
  ServerOptions options;
  std::unique_ptr<httplib::Server> server;
  std::thread thread;
  std::mutex mutex;  // options.deny, options.faults, stats
  std::map<std::string, std::uint64_t> by_verb;
  std::map<std::string, std::uint64_t> by_resource;
  std::uint64_t total = 0;
  std::atomic<int> inflight{0};
  std::atomic<int> max_inflight{0};
  std::ofstream log;
  std::mutex log_mutex;
  std::mt19937 random{std::random_device{}()};
  std::atomic<bool> down{false};

  Impl(std::shared_ptr<Cluster> c, const Pki& p, ServerOptions o) : cluster(std::move(c)), pki(p), options(std::move(o)) {
    if (!options.request_log_path.empty()) log.open(options.request_log_path, std::ios::app);
  }

  // --- authentication -------------------------------------------------------------------
  bool authenticated(const httplib::Request& request) {
    if (!options.token.empty()) {
      auto header = request.get_header_value("Authorization");
      if (header == "Bearer " + options.token) return true;
    }
    if (request.ssl != nullptr) {
      X509* peer = SSL_get1_peer_certificate(const_cast<SSL*>(request.ssl));
      bool ok = peer != nullptr && SSL_get_verify_result(request.ssl) == X509_V_OK;
      if (peer != nullptr) X509_free(peer);
      if (ok) return true;
    }
    // Plain HTTP without a token: the debugging mode trusts everyone.
    return !options.tls && options.token.empty();
  }

  // --- helpers ----------------------------------------------------------------------------
  static void send(httplib::Response& response, const Reply& reply) {
    response.status = reply.code;
    response.set_content(reply.body, "application/json");
  }

  Target parse_target(const std::string& path) {
    Target target;
    auto parts = split_path(path);
    std::size_t i = 0;
    if (parts.size() >= 2 && parts[0] == "api") {
      target.version = parts[1];
      i = 2;
    } else if (parts.size() >= 3 && parts[0] == "apis") {
      target.group = parts[1];
      target.version = parts[2];
      i = 3;
    } else {
      return target;
    }
    std::vector<std::string> rest(parts.begin() + static_cast<long>(i), parts.end());
    if (rest.empty()) return target;
    if (rest.size() >= 3 && rest[0] == "namespaces") {
      auto type = cluster->find_type(target.group, target.version, rest[2]);
      if (type && type->namespaced) {
        target.ns = rest[1];
        target.plural = rest[2];
        if (rest.size() >= 4) target.name = rest[3];
        if (rest.size() >= 5) target.sub = rest[4];
        target.valid = rest.size() <= 5;
        return target;
      }
    }
    target.plural = rest[0];
    if (rest.size() >= 2) target.name = rest[1];
    if (rest.size() >= 3) target.sub = rest[2];
    target.valid = rest.size() <= 3;
    return target;
  }

  static Reply unknown_path() {
    return status_error(404, "NotFound", "the server could not find the requested resource");
  }

  Reply forbidden(const std::string& verb, const ResourceType& type, const Target& target) {
    std::string who = "User \"admin\" cannot " + verb + " resource \"" + type.plural + "\" in API group \"" +
                      type.group + "\"";
    std::string scope = type.namespaced && !target.ns.empty() ? " in the namespace \"" + target.ns + "\"" : " at the cluster scope";
    std::string subject = type.group_resource() + (target.name.empty() ? "" : " \"" + target.name + "\"");
    return status_error(403, "Forbidden", subject + " is forbidden: " + who + scope, target.name, type.group, type.plural);
  }

  // --- discovery --------------------------------------------------------------------------
  std::string resource_list(const std::string& group, const std::string& version) {
    std::string out = R"({"kind":"APIResourceList","apiVersion":"v1","groupVersion":")" +
                      (group.empty() ? version : group + "/" + version) + R"(","resources":[)";
    bool first = true;
    for (const auto& type : cluster->types()) {
      if (type.group != group || type.version != version) continue;
      auto entry = [&](const std::string& name, const std::string& kind, const std::string& verbs, bool main,
                       const std::string& extra) {
        out += first ? "" : ",";
        first = false;
        out += R"({"name":")" + name + R"(","singularName":")" + (main ? type.singular : "") +
               R"(","namespaced":)" + (type.namespaced ? "true" : "false") + extra + R"(,"kind":")" + kind +
               R"(","verbs":)" + verbs;
        if (main && !type.short_names.empty()) {
          out += R"(,"shortNames":[)";
          for (std::size_t i = 0; i < type.short_names.size(); ++i) out += (i ? ",\"" : "\"") + type.short_names[i] + "\"";
          out += "]";
        }
        if (main && !type.categories.empty()) {
          out += R"(,"categories":[)";
          for (std::size_t i = 0; i < type.categories.size(); ++i) out += (i ? ",\"" : "\"") + type.categories[i] + "\"";
          out += "]";
        }
        out += "}";
      };
      entry(type.plural, type.kind, kVerbs, true, "");
      if (type.status_subresource) entry(type.plural + "/status", type.kind, R"(["get","patch","update"])", false, "");
      if (type.scale_subresource) {
        entry(type.plural + "/scale", "Scale", R"(["get","patch","update"])", false,
              R"(,"group":"autoscaling","version":"v1")");
      }
    }
    return out + "]}";
  }

  std::string group_list() {
    std::map<std::string, std::string> groups;  // group -> version
    for (const auto& type : cluster->types()) {
      if (!type.group.empty()) groups[type.group] = type.version;
    }
    std::string out = R"({"kind":"APIGroupList","apiVersion":"v1","groups":[)";
    bool first = true;
    for (const auto& [group, version] : groups) {
      out += first ? "" : ",";
      first = false;
      std::string gv = group + "/" + version;
      out += R"({"name":")" + group + R"(","versions":[{"groupVersion":")" + gv + R"(","version":")" + version +
             R"("}],"preferredVersion":{"groupVersion":")" + gv + R"(","version":")" + version + R"("}})";
    }
    return out + "]}";
  }

  // --- OpenAPI v3 ------------------------------------------------------------------------
  // No schemas: just the operations and the parameters they accept, which is what kubectl reads to
  // decide that the server validates fields itself (fieldValidation) instead of validating locally.
  std::string openapi_root() {
    std::set<std::string> gvs;
    for (const auto& type : cluster->types()) gvs.insert(type.group.empty() ? "api/" + type.version : "apis/" + type.group + "/" + type.version);
    std::string out = R"({"paths":{)";
    bool first = true;
    for (const auto& gv : gvs) {
      out += (first ? "\"" : ",\"") + gv + R"(":{"serverRelativeURL":"/openapi/v3/)" + gv + R"(?hash=0"})";
      first = false;
    }
    return out + "}}";
  }

  std::string openapi_group_version(const std::string& gv) {
    std::string out = R"({"openapi":"3.0.0","info":{"title":"Kubernetes","version":"v1.32.0"},"paths":{)";
    bool first = true;
    const std::string params =
        R"([{"name":"dryRun","in":"query","schema":{"type":"string"}},{"name":"fieldManager","in":"query","schema":{"type":"string"}},{"name":"fieldValidation","in":"query","schema":{"type":"string"}}])";
    for (const auto& type : cluster->types()) {
      std::string type_gv = type.group.empty() ? "api/" + type.version : "apis/" + type.group + "/" + type.version;
      if (type_gv != gv) continue;
      std::string gvk = R"("x-kubernetes-group-version-kind":{"group":")" + type.group + R"(","kind":")" + type.kind +
                        R"(","version":")" + type.version + R"("})";
      std::string base = "/" + gv + (type.namespaced ? "/namespaces/{namespace}/" : "/") + type.plural;
      std::string ok = R"("responses":{"200":{"description":"OK"}})";
      out += first ? "" : ",";
      first = false;
      out += "\"" + base + R"(":{"post":{)" + gvk + R"(,"parameters":)" + params + "," + ok + "}},";
      out += "\"" + base + R"(/{name}":{"get":{)" + gvk + "," + ok + R"(},"put":{)" + gvk + R"(,"parameters":)" + params +
             "," + ok + R"(},"patch":{)" + gvk + R"(,"parameters":)" + params + "," + ok + R"(},"delete":{)" + gvk + "," +
             ok + "}}";
    }
    if (first) return {};
    return out + R"(},"components":{"schemas":{}}})";
  }

  // --- stats and faults -------------------------------------------------------------------
  void count(const std::string& verb, const std::string& resource) {
    std::lock_guard lock(mutex);
    ++total;
    ++by_verb[verb];
    ++by_resource[resource];
  }

  std::string stats_json() {
    std::lock_guard lock(mutex);
    std::string out = R"({"requests":)" + std::to_string(total) + R"(,"inflight":)" + std::to_string(inflight.load()) +
                      R"(,"max_inflight":)" + std::to_string(max_inflight.load()) + R"(,"by_verb":{)";
    bool first = true;
    for (const auto& [verb, n] : by_verb) {
      out += (first ? "\"" : ",\"") + verb + "\":" + std::to_string(n);
      first = false;
    }
    out += R"(},"by_resource":{)";
    first = true;
    for (const auto& [resource, n] : by_resource) {
      out += (first ? "\"" : ",\"") + resource + "\":" + std::to_string(n);
      first = false;
    }
    return out + "}}";
  }

  void log_request(const httplib::Request& request, int status, double ms) {
    if (!log.is_open()) return;
    std::lock_guard lock(log_mutex);
    log << request.method << ' ' << request.path;
    bool first = true;
    for (const auto& [key, value] : request.params) {
      log << (first ? '?' : '&') << key << '=' << value;
      first = false;
    }
    log << ' ' << status << ' ' << static_cast<long long>(ms) << "ms " << request.get_header_value("User-Agent") << '\n';
  }

  Reply admin(const httplib::Request& request, std::ostringstream& note) {
    const std::string path = request.path;
    rapidjson::Document body;
    if (!request.body.empty()) body.Parse(request.body.c_str());
    if (path == "/emulator/stats") return Reply{200, stats_json()};
    if (path == "/emulator/stats/reset") {
      std::lock_guard lock(mutex);
      total = 0;
      by_verb.clear();
      by_resource.clear();
      max_inflight = 0;
      return Reply{200, "{}"};
    }
    if (path == "/emulator/compact") {
      cluster->compact();
      return Reply{200, "{}"};
    }
    if (path == "/emulator/faults" && request.method == "POST" && body.IsObject()) {
      std::lock_guard lock(mutex);
      auto& f = options.faults;
      if (body.HasMember("error_rate")) f.error_rate = body["error_rate"].GetDouble();
      if (body.HasMember("throttle_rate")) f.throttle_rate = body["throttle_rate"].GetDouble();
      if (body.HasMember("retry_after_seconds")) f.retry_after_seconds = body["retry_after_seconds"].GetInt();
      if (body.HasMember("drop_rate")) f.drop_rate = body["drop_rate"].GetDouble();
      if (body.HasMember("latency_ms")) f.latency_ms = body["latency_ms"].GetInt();
      if (body.HasMember("error_codes") && body["error_codes"].IsArray()) {
        f.error_codes.clear();
        for (const auto& code : body["error_codes"].GetArray()) f.error_codes.push_back(code.GetInt());
      }
      if (body.HasMember("conflict") && body["conflict"].IsObject()) {
        const auto& c = body["conflict"];
        std::string resource = c["resource"].GetString();
        std::string group;
        for (const auto& type : cluster->types()) {
          if (type.plural == resource) group = type.group;
        }
        cluster->force_conflicts(group + "/" + resource, c.HasMember("namespace") ? c["namespace"].GetString() : "",
                                 c["name"].GetString(), c.HasMember("count") ? c["count"].GetInt() : 1);
      }
      return Reply{200, "{}"};
    }
    if (path == "/emulator/deny" && request.method == "POST" && body.IsObject() && body.HasMember("rules")) {
      std::lock_guard lock(mutex);
      options.deny.clear();
      for (const auto& rule : body["rules"].GetArray()) options.deny.insert(rule.GetString());
      return Reply{200, "{}"};
    }
    if (path == "/emulator/down" && request.method == "POST") {
      int seconds = body.IsObject() && body.HasMember("seconds") ? body["seconds"].GetInt() : 5;
      note << seconds;
      return Reply{200, "{}"};
    }
    return unknown_path();
  }

  // --- the API ----------------------------------------------------------------------------
  void handle(const httplib::Request& request, httplib::Response& response) {
    const auto started = std::chrono::steady_clock::now();
    if (!authenticated(request)) {
      send(response, status_error(401, "Unauthorized", "Unauthorized"));
      return;
    }
    if (request.path.rfind("/emulator/", 0) == 0) {
      std::ostringstream note;
      auto reply = admin(request, note);
      send(response, reply);
      if (request.path == "/emulator/down" && reply.ok()) take_down(std::stoi(note.str()));
      return;
    }
    int now = ++inflight;
    int seen = max_inflight.load();
    while (now > seen && !max_inflight.compare_exchange_weak(seen, now)) {
    }
    Faults faults;
    {
      std::lock_guard lock(mutex);
      faults = options.faults;
    }
    if (faults.latency_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(faults.latency_ms));
    serve(request, response, faults);
    --inflight;
    log_request(request, response.status,
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count());
  }

  void serve(const httplib::Request& request, httplib::Response& response, const Faults& faults) {
    const std::string& path = request.path;
    if (path == "/version" || path == "/version/") {
      count("get", "version");
      send(response, Reply{200, R"({"major":"1","minor":"32","gitVersion":"v1.32.0-kube-emulator","gitCommit":"0000000","gitTreeState":"clean","buildDate":"2026-01-01T00:00:00Z","goVersion":"go1.23","compiler":"gc","platform":"linux/amd64"})"});
      return;
    }
    if (path == "/api" || path == "/api/") {
      count("get", "discovery");
      send(response, Reply{200, R"({"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[{"clientCIDR":"0.0.0.0/0","serverAddress":"127.0.0.1:0"}]})"});
      return;
    }
    if (path == "/apis" || path == "/apis/") {
      count("get", "discovery");
      send(response, Reply{200, group_list()});
      return;
    }
    if (path == "/openapi/v3" || path == "/openapi/v3/") {
      count("get", "openapi");
      send(response, Reply{200, openapi_root()});
      return;
    }
    if (path.rfind("/openapi/v3/", 0) == 0) {
      count("get", "openapi");
      auto gv = path.substr(std::string("/openapi/v3/").size());
      auto doc = openapi_group_version(gv);
      send(response, doc.empty() ? unknown_path() : Reply{200, doc});
      return;
    }
    if (path == "/healthz" || path == "/readyz" || path == "/livez") {
      response.set_content("ok", "text/plain");
      return;
    }
    auto target = parse_target(path);
    if (!target.valid) {
      // /api/v1 or /apis/g/v: the resource list of that group/version.
      auto parts = split_path(path);
      bool is_gv = (parts.size() == 2 && parts[0] == "api") || (parts.size() == 3 && parts[0] == "apis");
      if (is_gv && request.method == "GET") {
        std::string group = parts[0] == "api" ? "" : parts[1];
        std::string version = parts.back();
        bool served = false;
        for (const auto& type : cluster->types()) served = served || (type.group == group && type.version == version);
        count("get", "discovery");
        send(response, served ? Reply{200, resource_list(group, version)} : unknown_path());
        return;
      }
      send(response, unknown_path());
      return;
    }
    auto type = cluster->find_type(target.group, target.version, target.plural);
    if (!type || (!target.sub.empty() && target.sub != "status" && target.sub != "scale") ||
        (target.sub == "scale" && !type->scale_subresource) || (target.sub == "status" && !type->status_subresource)) {
      send(response, unknown_path());
      return;
    }
    const bool watch = request.get_param_value("watch") == "1" || request.get_param_value("watch") == "true";
    std::string verb;
    if (request.method == "GET") verb = watch ? "watch" : target.name.empty() ? "list" : "get";
    else if (request.method == "POST") verb = "create";
    else if (request.method == "PUT") verb = "update";
    else if (request.method == "PATCH") verb = "patch";
    else if (request.method == "DELETE") verb = "delete";
    else {
      send(response, status_error(405, "MethodNotAllowed", "the server does not allow this method on the requested resource"));
      return;
    }
    count(verb, type->plural);
    {
      std::lock_guard lock(mutex);
      if (options.deny.count(verb + ":" + type->plural) || options.deny.count("*:" + type->plural)) {
        send(response, forbidden(verb, *type, target));
        return;
      }
    }
    double roll = std::uniform_real_distribution<double>(0, 1)(random);
    if (roll < faults.error_rate) {
      int code = faults.error_codes.empty() ? 500 : faults.error_codes[random() % faults.error_codes.size()];
      send(response, code == 503 ? status_error(503, "ServiceUnavailable", "the server is currently unable to handle the request")
                                 : status_error(code, "InternalError", "Internal error occurred: injected fault"));
      return;
    }
    if (roll < faults.error_rate + faults.throttle_rate) {
      response.set_header("Retry-After", std::to_string(faults.retry_after_seconds));
      send(response, status_error(429, "TooManyRequests", "Too many requests, please try again later."));
      return;
    }
    const bool drop = roll < faults.error_rate + faults.throttle_rate + faults.drop_rate;
    const bool dry_run = request.get_param_value("dryRun") == "All";
    const bool table = request.get_header_value("Accept").find("as=Table") != std::string::npos;

    if (verb == "create" || verb == "update") {
      // Only JSON bodies are understood; kube-apiserver answers 415 for a media type it cannot decode,
      // and client-go then falls back to JSON (kubectl sends protobuf for built-in kinds first).
      auto content_type = request.get_header_value("Content-Type");
      if (!content_type.empty() && content_type.rfind("application/json", 0) != 0) {
        send(response, status_error(415, "UnsupportedMediaType",
                                    "the body of the request was in an unknown format - accepted media types include: "
                                    "application/json, application/yaml"));
        return;
      }
    }
    Reply reply;
    if (verb == "watch") {
      serve_watch(request, response, *type, target, table);
      return;
    }
    if (verb == "get") {
      reply = cluster->get(*type, target.ns, target.name, target.sub);
      if (reply.ok() && table && target.sub.empty()) reply.body = table_for_object(*type, reply.body);
    } else if (verb == "list") {
      ListOptions list_options;
      list_options.label_selector = request.get_param_value("labelSelector");
      list_options.field_selector = request.get_param_value("fieldSelector");
      list_options.continue_token = request.get_param_value("continue");
      auto limit = request.get_param_value("limit");
      if (!limit.empty()) list_options.limit = std::stoul(limit);
      reply = cluster->list(*type, target.ns, list_options);
      if (reply.ok() && table) reply.body = table_for_list(*type, reply.body);
    } else if (verb == "create") {
      if (!target.name.empty()) {
        send(response, status_error(405, "MethodNotAllowed", "the server does not allow this method on the requested resource"));
        return;
      }
      reply = cluster->create(*type, target.ns, request.body, dry_run);
    } else if (verb == "update") {
      reply = cluster->update(*type, target.ns, target.name, target.sub, request.body, dry_run);
    } else if (verb == "patch") {
      auto content_type = request.get_header_value("Content-Type");
      PatchKind kind;
      if (content_type.rfind("application/merge-patch+json", 0) == 0) kind = PatchKind::Merge;
      else if (content_type.rfind("application/json-patch+json", 0) == 0) kind = PatchKind::Json;
      else if (content_type.rfind("application/strategic-merge-patch+json", 0) == 0) kind = PatchKind::Strategic;
      else {
        send(response, status_error(415, "UnsupportedMediaType",
                                    "the body of the request was in an unknown format - accepted media types include: "
                                    "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml" +
                                        std::string(type->builtin ? ", application/strategic-merge-patch+json" : "")));
        return;
      }
      reply = cluster->patch(*type, target.ns, target.name, target.sub, kind, request.body, dry_run);
    } else {
      reply = cluster->remove(*type, target.ns, target.name, dry_run);
    }
    if (drop) {
      // Close the connection after part of the answer: the client sees a truncated response.
      auto partial = std::make_shared<std::string>(reply.body.substr(0, reply.body.size() / 2));
      response.status = reply.code;
      response.set_content_provider(reply.body.size() + 10, "application/json",
                                    [partial](size_t offset, size_t, httplib::DataSink& sink) {
                                      if (offset == 0) sink.write(partial->data(), partial->size());
                                      return false;
                                    });
      return;
    }
    send(response, reply);
  }

  void serve_watch(const httplib::Request& request, httplib::Response& response, const ResourceType& type,
                   const Target& target, bool table) {
    std::string rv_text = request.get_param_value("resourceVersion");
    std::string error;
    auto labels = parse_label_selector(request.get_param_value("labelSelector"), error);
    auto fields = parse_field_selector(request.get_param_value("fieldSelector"), type.kind, error);
    if (!labels || !fields) {
      send(response, status_error(400, "BadRequest", error));
      return;
    }
    auto timeout_text = request.get_param_value("timeoutSeconds");
    int timeout_seconds = timeout_text.empty() ? 1800 : std::max(1, std::stoi(timeout_text));
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
    std::uint64_t rv = 0;
    bool send_initial = rv_text.empty() || rv_text == "0";
    if (!send_initial) rv = std::stoull(rv_text);
    auto state = std::make_shared<std::pair<std::uint64_t, bool>>(send_initial ? cluster->current_rv() : rv, send_initial);
    auto cluster_ptr = cluster;
    auto selector = std::make_shared<Selector>(*labels);
    auto field_selector = std::make_shared<FieldSelector>(*fields);
    std::string ns = target.ns;
    std::string name_filter = target.name;
    ResourceType watched = type;
    response.status = 200;
    response.set_chunked_content_provider(
        "application/json",
        [cluster_ptr, state, selector, field_selector, ns, name_filter, watched, table, deadline](size_t, httplib::DataSink& sink) {
          auto matches = [&](const rapidjson::Document& object) {
            const auto& metadata = object["metadata"];
            if (!ns.empty() && (!metadata.HasMember("namespace") || ns != metadata["namespace"].GetString())) return false;
            if (!name_filter.empty() && name_filter != metadata["name"].GetString()) return false;
            const rapidjson::Value* labels = metadata.HasMember("labels") ? &metadata["labels"] : nullptr;
            return selector->matches(labels) && field_selector->matches(object);
          };
          auto emit = [&](const std::string& event_type, const rapidjson::Document& object) {
            std::string object_json = table ? table_for_object(watched, to_string(object)) : to_string(object);
            std::string line = R"({"type":")" + event_type + R"(","object":)" + object_json + "}\n";
            return sink.write(line.data(), line.size());
          };
          if (state->second) {
            state->second = false;
            for (const auto& object : cluster_ptr->snapshot(watched, ns)) {
              if (matches(*object) && !emit("ADDED", *object)) return false;
            }
          }
          if (std::chrono::steady_clock::now() >= deadline) {
            sink.done();
            return true;
          }
          std::vector<Event> events;
          if (!cluster_ptr->events_since(watched.key(), state->first, events, std::chrono::milliseconds(500))) {
            std::string line =
                R"({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: )" +
                std::to_string(state->first) + R"(","reason":"Expired","code":410}})" + "\n";
            sink.write(line.data(), line.size());
            sink.done();
            return true;
          }
          for (const auto& event : events) {
            state->first = event.rv;
            if (matches(*event.object) && !emit(event.type, *event.object)) return false;
          }
          return true;
        });
  }

  void take_down(int seconds) {
    // Refuse connections: stop listening, come back after `seconds` on the same port.
    down = true;
    std::thread([this, seconds] {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      server->stop();
    }).detach();
    std::thread([this, seconds] {
      std::this_thread::sleep_for(std::chrono::seconds(seconds));
      down = false;
    }).detach();
  }
};

ClusterServer::ClusterServer(std::shared_ptr<Cluster> cluster, const Pki& pki, ServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(cluster), pki, std::move(options))) {}

ClusterServer::~ClusterServer() { stop(); }

std::string ClusterServer::url() const {
  return std::string(impl_->options.tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_);
}

bool ClusterServer::start(int port) {
  auto& impl = *impl_;
  if (impl.options.tls) {
    const Pki pki = impl.pki;
    impl.server = std::make_unique<httplib::SSLServer>([pki](SSL_CTX& ctx) {
      X509* cert = read_cert(pki.server_cert);
      EVP_PKEY* key = read_key(pki.server_key);
      X509* ca = read_cert(pki.ca_cert);
      bool ok = SSL_CTX_use_certificate(&ctx, cert) == 1 && SSL_CTX_use_PrivateKey(&ctx, key) == 1;
      X509_STORE_add_cert(SSL_CTX_get_cert_store(&ctx), ca);
      STACK_OF(X509_NAME)* names = sk_X509_NAME_new_null();
      sk_X509_NAME_push(names, X509_NAME_dup(X509_get_subject_name(ca)));
      SSL_CTX_set_client_CA_list(&ctx, names);
      // Verify a client certificate when one is offered (kube-apiserver: VerifyClientCertIfGiven);
      // bearer tokens authenticate the rest.
      SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER, nullptr);
      SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
      X509_free(cert);
      X509_free(ca);
      EVP_PKEY_free(key);
      return ok;
    });
  } else {
    impl.server = std::make_unique<httplib::Server>();
  }
  auto& server = *impl.server;
  server.new_task_queue = [] { return new httplib::ThreadPool(160); };
  server.set_tcp_nodelay(true);  // no 40 ms Nagle/delayed-ACK stalls on small answers
  server.set_keep_alive_max_count(1000000);
  server.set_keep_alive_timeout(30);
  server.set_read_timeout(60);
  server.set_write_timeout(60);
  server.set_payload_max_length(64 * 1024 * 1024);
  auto handler = [this](const httplib::Request& request, httplib::Response& response) { impl_->handle(request, response); };
  server.Get(".*", handler);
  server.Post(".*", handler);
  server.Put(".*", handler);
  server.Patch(".*", handler);
  server.Delete(".*", handler);
  if (port == 0) {
    port_ = server.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) return false;
  } else {
    if (!server.bind_to_port("127.0.0.1", port)) return false;
    port_ = port;
  }
  impl.thread = std::thread([this] {
    while (true) {
      impl_->server->listen_after_bind();
      if (!impl_->down.load()) return;
      // Taken down on purpose: wait, then listen again on the same port.
      while (impl_->down.load()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
      auto& server = *impl_->server;
      for (int attempt = 0; attempt < 100 && !server.bind_to_port("127.0.0.1", port_); ++attempt) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
  });
  return true;
}

void ClusterServer::stop() {
  if (impl_->server) {
    impl_->down = false;
    impl_->server->stop();
  }
  if (impl_->thread.joinable()) impl_->thread.join();
  if (impl_->log.is_open()) impl_->log.flush();
}

}  // namespace emu
