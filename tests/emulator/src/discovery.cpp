#include "discovery.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

namespace emu {

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void strings(Writer& w, const char* key, const std::vector<std::string>& list) {
  w.Key(key);
  w.StartArray();
  for (const auto& s : list) w.String(s);
  w.EndArray();
}

// Groups in registration order, each with its versions in registration order.
std::vector<std::pair<std::string, std::vector<std::string>>> groups_of(const TypeRegistry& types) {
  std::vector<std::pair<std::string, std::vector<std::string>>> groups;
  for (const auto& t : types.all()) {
    if (t->group.empty()) continue;
    auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == t->group; });
    if (it == groups.end()) {
      groups.push_back({t->group, {t->version}});
    } else if (std::find(it->second.begin(), it->second.end(), t->version) == it->second.end()) {
      it->second.push_back(t->version);
    }
  }
  return groups;
}

// The members of an APIGroup: name, versions, preferredVersion.
void group_members(Writer& w, const std::string& name, const std::vector<std::string>& versions) {
  w.Key("name");
  w.String(name);
  w.Key("versions");
  w.StartArray();
  for (const auto& v : versions) {
    w.StartObject();
    w.Key("groupVersion");
    w.String(name + "/" + v);
    w.Key("version");
    w.String(v);
    w.EndObject();
  }
  w.EndArray();
  w.Key("preferredVersion");
  w.StartObject();
  w.Key("groupVersion");
  w.String(name + "/" + versions.front());
  w.Key("version");
  w.String(versions.front());
  w.EndObject();
}

void group_object(Writer& w, const std::string& name, const std::vector<std::string>& versions) {
  w.StartObject();
  group_members(w, name, versions);
  w.EndObject();
}

// The APIResource of a subresource ("statefulsets/scale"): group and version only when they are
// not the type's own.
void subresource(Writer& w, const ResourceType& type, const char* name, const char* group,
                 const char* version, const std::string& kind) {
  w.StartObject();
  w.Key("name");
  w.String(type.plural + "/" + name);
  w.Key("singularName");
  w.String("");
  w.Key("namespaced");
  w.Bool(type.namespaced);
  if (group != nullptr) {
    w.Key("group");
    w.String(group);
    w.Key("version");
    w.String(version);
  }
  w.Key("kind");
  w.String(kind);
  strings(w, "verbs", {"get", "patch", "update"});
  w.EndObject();
}

}  // namespace

std::string version_json() {
  return R"({"major":"1","minor":"32","gitVersion":"v1.32.0","gitCommit":"70d3cc986aa8221cd1dfb1121852688902d3bf53",)"
         R"("gitTreeState":"clean","buildDate":"2024-12-11T17:59:15Z","goVersion":"go1.23.3","compiler":"gc",)"
         R"("platform":"linux/amd64"})";
}

std::string api_versions_json(int port) {
  return R"({"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[{"clientCIDR":"0.0.0.0/0",)"
         R"("serverAddress":"127.0.0.1:)" +
         std::to_string(port) + R"("}]})";
}

std::string api_group_list_json(const TypeRegistry& types) {
  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  w.Key("kind");
  w.String("APIGroupList");
  w.Key("apiVersion");
  w.String("v1");
  w.Key("groups");
  w.StartArray();
  for (const auto& [name, versions] : groups_of(types)) group_object(w, name, versions);
  w.EndArray();
  w.EndObject();
  return b.GetString();
}

std::optional<std::string> api_group_json(const TypeRegistry& types, const std::string& group) {
  for (const auto& [name, versions] : groups_of(types)) {
    if (name != group) continue;
    rapidjson::StringBuffer b;
    Writer w(b);
    w.StartObject();
    w.Key("kind");
    w.String("APIGroup");
    w.Key("apiVersion");
    w.String("v1");
    group_members(w, name, versions);
    w.EndObject();
    return std::string(b.GetString());
  }
  return std::nullopt;
}

std::optional<std::string> api_resource_list_json(const TypeRegistry& types, const std::string& group,
                                                  const std::string& version) {
  std::vector<TypeRef> served;
  for (const auto& t : types.all()) {
    if (t->group == group && t->version == version) served.push_back(t);
  }
  if (served.empty()) return std::nullopt;
  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  w.Key("kind");
  w.String("APIResourceList");
  w.Key("apiVersion");
  w.String("v1");
  w.Key("groupVersion");
  w.String(group.empty() ? version : group + "/" + version);
  w.Key("resources");
  w.StartArray();
  for (const auto& t : served) {
    w.StartObject();
    w.Key("name");
    w.String(t->plural);
    w.Key("singularName");
    w.String(t->singular);
    w.Key("namespaced");
    w.Bool(t->namespaced);
    w.Key("kind");
    w.String(t->kind);
    strings(w, "verbs", t->verbs);
    if (!t->short_names.empty()) strings(w, "shortNames", t->short_names);
    if (!t->categories.empty()) strings(w, "categories", t->categories);
    w.EndObject();
    if (t->scale_subresource) subresource(w, *t, "scale", "autoscaling", "v1", "Scale");
    if (t->status_subresource) subresource(w, *t, "status", nullptr, nullptr, t->kind);
  }
  w.EndArray();
  w.EndObject();
  return std::string(b.GetString());
}

}  // namespace emu

namespace emu {

namespace {

std::string gv_path(const std::string& group, const std::string& version) {
  return group.empty() ? "api/" + version : "apis/" + group + "/" + version;
}

std::vector<std::pair<std::string, std::string>> group_versions(const TypeRegistry& types) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& t : types.all()) {
    std::pair<std::string, std::string> gv{t->group, t->version};
    if (std::find(out.begin(), out.end(), gv) == out.end()) out.push_back(gv);
  }
  return out;
}

}  // namespace

std::string openapi_v2_json() {
  return R"({"swagger":"2.0","info":{"title":"Kubernetes","version":"v1.32.0"},"paths":{},"definitions":{}})";
}

std::string openapi_v2_protobuf() {
  // openapi_v2.Document: swagger = 1, info = 2 (Info: title = 1, version = 2), paths = 8 (empty),
  // definitions = 9 (empty). Every length here is below 128: one-byte varints.
  auto field = [](int number, const std::string& bytes) {
    return std::string(1, static_cast<char>(number << 3 | 2)) + static_cast<char>(bytes.size()) + bytes;
  };
  return field(1, "2.0") + field(2, field(1, "Kubernetes") + field(2, "v1.32.0")) + field(8, "") +
         field(9, "");
}

std::string openapi_v3_root_json(const TypeRegistry& types) {
  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  w.Key("paths");
  w.StartObject();
  std::string hash = std::to_string(types.generation());
  for (const auto& [group, version] : group_versions(types)) {
    std::string p = gv_path(group, version);
    w.Key(p.c_str(), static_cast<rapidjson::SizeType>(p.size()));
    w.StartObject();
    w.Key("serverRelativeURL");
    w.String("/openapi/v3/" + p + "?hash=" + hash);
    w.EndObject();
  }
  w.EndObject();
  w.EndObject();
  return b.GetString();
}

std::optional<std::string> openapi_v3_group_version_json(const TypeRegistry& types, const std::string& path) {
  std::vector<TypeRef> served;
  for (const auto& t : types.all()) {
    if (gv_path(t->group, t->version) == path) served.push_back(t);
  }
  if (served.empty()) return std::nullopt;
  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  w.Key("openapi");
  w.String("3.0.0");
  w.Key("info");
  w.StartObject();
  w.Key("title");
  w.String("Kubernetes");
  w.Key("version");
  w.String("v1.32.0");
  w.EndObject();
  w.Key("paths");
  w.StartObject();
  for (const auto& t : served) {
    std::string base =
        "/" + path + (t->namespaced ? "/namespaces/{namespace}/" : "/") + t->plural + "/{name}";
    w.Key(base.c_str(), static_cast<rapidjson::SizeType>(base.size()));
    w.StartObject();
    w.Key("patch");
    w.StartObject();
    w.Key("operationId");
    w.String("patch" + t->kind);
    w.Key("parameters");
    w.StartArray();
    for (const char* name : {"dryRun", "fieldManager", "fieldValidation", "force"}) {
      w.StartObject();
      w.Key("name");
      w.String(name);
      w.Key("in");
      w.String("query");
      w.Key("schema");
      w.StartObject();
      w.Key("type");
      w.String(std::string(name) == "force" ? "boolean" : "string");
      w.Key("uniqueItems");
      w.Bool(true);
      w.EndObject();
      w.EndObject();
    }
    w.EndArray();
    w.Key("responses");
    w.StartObject();
    w.Key("200");
    w.StartObject();
    w.Key("description");
    w.String("OK");
    w.EndObject();
    w.EndObject();
    w.Key("x-kubernetes-action");
    w.String("patch");
    w.Key("x-kubernetes-group-version-kind");
    w.StartObject();
    w.Key("group");
    w.String(t->group);
    w.Key("version");
    w.String(t->version);
    w.Key("kind");
    w.String(t->kind);
    w.EndObject();
    w.EndObject();
    w.EndObject();
  }
  w.EndObject();
  w.Key("components");
  w.StartObject();
  w.Key("schemas");
  w.StartObject();
  w.EndObject();
  w.EndObject();
  w.EndObject();
  return std::string(b.GetString());
}

}  // namespace emu
