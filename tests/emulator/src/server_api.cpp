// The Kubernetes API of one emulated cluster: path resolution, authorization, discovery and the
// REST verbs (get, list, create, update, patch, delete).
#include "server_internal.hpp"

namespace emu {

void ClusterServer::Impl::api(const httplib::Request& req, httplib::Response& res, const std::string& user,
                              std::string& verb, std::string& resource) {
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
bool ClusterServer::Impl::resolve(const std::vector<std::string>& parts, Target& t) {
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
      if (t.type->namespaced) throw errors::path_not_found();  // a namespaced kind by name needs a namespace
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

void ClusterServer::Impl::authorize(const std::string& user, const std::string& verb, const Target& t) {
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

void ClusterServer::Impl::discovery(const httplib::Request& req, httplib::Response& res,
                                    const std::vector<std::string>& parts) {
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

bool ClusterServer::Impl::wants_table(const httplib::Request& req) {
  return req.get_header_value("Accept").find("as=Table") != std::string::npos;
}

bool ClusterServer::Impl::dry_run(const httplib::Request& req) {
  if (!req.has_param("dryRun")) return false;
  for (std::size_t i = 0; i < req.get_param_value_count("dryRun"); ++i) {
    std::string v = req.get_param_value("dryRun", i);
    if (v != "All") {
      throw errors::bad_request("Invalid dry run value: " + v);
    }
  }
  return true;
}

rapidjson::Document ClusterServer::Impl::body_json(const httplib::Request& req) {
  std::string type = req.get_header_value("Content-Type");
  if (type.find("application/vnd.kubernetes.protobuf") != std::string::npos) return decode_protobuf(req.body);
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

void ClusterServer::Impl::resource_request(const httplib::Request& req, httplib::Response& res,
                                           const Target& t, const std::string& verb) {
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

std::string ClusterServer::Impl::include_object(const httplib::Request& req) {
  std::string v = param(req, "includeObject");
  return v.empty() ? "Metadata" : v;
}

ListOptions ClusterServer::Impl::list_options(const httplib::Request& req) {
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

std::string ClusterServer::Impl::list_json(const ResourceType& type, const std::vector<Object>& items,
                                           std::uint64_t rv, const std::string& continue_token,
                                           std::optional<std::int64_t> remaining) {
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

void ClusterServer::Impl::list(const httplib::Request& req, httplib::Response& res, const Target& t) {
  ListOptions o = list_options(req);
  ListResult r = store.list(*t.type, t.ns, o);
  if (wants_table(req)) {
    return write_json(
        res, 200, table_json(*t.type, r.items, r.resource_version, r.continue_token, include_object(req)));
  }
  write_json(res, 200, list_json(*t.type, r.items, r.resource_version, r.continue_token, r.remaining));
}

void ClusterServer::Impl::remove(const httplib::Request& req, httplib::Response& res, const Target& t) {
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
  begin_status(w);
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

}  // namespace emu
