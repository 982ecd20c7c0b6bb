// Discovery: which resources a group/version serves, from GET /api/v1 or /apis/<group>/<version>,
// asked at most once per group/version per run.
#include <map>

#include "dr/kube/api_client.hpp"
#include "kube/api_internal.hpp"

namespace dr::kube {

struct Discovery::Cache {
  // group/version path -> its APIResourceList, or null when the group/version is not served (404).
  std::map<std::string, std::shared_ptr<const rapidjson::Document>, std::less<>> lists;
};

Discovery::Discovery(ApiClient& client) : client_(client), cache_(std::make_shared<Cache>()) {}

namespace {

Result<std::shared_ptr<const rapidjson::Document>> resource_list(ApiClient& client, Discovery::Cache& cache,
                                                                 const std::string& group_version_path) {
  if (auto it = cache.lists.find(group_version_path); it != cache.lists.end()) return it->second;
  HttpRequest request;
  request.path_and_query = group_version_path;
  request.retry_safe = true;
  auto response = client.transport().perform(std::move(request));
  if (!response) return std::move(response).error();
  std::shared_ptr<const rapidjson::Document> list;
  if (response->status == 404) {
    cache.lists.emplace(group_version_path, nullptr);  // the group (or this version of it) does not exist
    return list;
  }
  if (!detail::is_success(response->status)) {
    return std::move(error_from_response(*response)).wrap("discovering " + group_version_path);
  }
  auto document = detail::parse_json(std::move(response->body), "discovery of " + group_version_path);
  if (!document) return std::move(document).error();
  list = std::make_shared<const rapidjson::Document>(std::move(document).value());
  cache.lists.emplace(group_version_path, list);
  return list;
}

const rapidjson::Value* resources_of(const rapidjson::Document& list) {
  if (!list.IsObject()) return nullptr;
  auto resources = list.FindMember("resources");
  if (resources == list.MemberEnd() || !resources->value.IsArray()) return nullptr;
  return &resources->value;
}

std::string_view string_of(const rapidjson::Value& object, const char* name) {
  auto member = object.FindMember(name);
  if (member == object.MemberEnd() || !member->value.IsString()) return {};
  return {member->value.GetString(), member->value.GetStringLength()};
}

}  // namespace

Result<bool> Discovery::serves(const ResourceType& type) {
  auto list = resource_list(client_, *cache_, type.group_version_path());
  if (!list) return std::move(list).error();
  if (!*list) return false;
  const auto* resources = resources_of(**list);
  if (resources == nullptr) return false;
  for (const auto& resource : resources->GetArray()) {
    if (resource.IsObject() && string_of(resource, "name") == type.plural) return true;
  }
  return false;
}

Result<void> Discovery::require(const ResourceType& type) {
  auto served = serves(type);
  if (!served) return std::move(served).error();
  if (*served) return {};
  std::string message = "the server doesn't have a resource type \"" + type.plural + "\"";
  if (type.group == types::kStorkGroup) message += " — is Stork installed on this cluster?";
  return Error::make(ErrorCode::NotServed, std::move(message));
}

Error Discovery::explain_not_found(const ResourceType& type, Error error) {
  if (!error.is_not_found()) return error;
  auto served = require(type);
  if (!served && served.error().code == ErrorCode::NotServed) return std::move(served).error();
  return error;
}

Result<std::optional<ResourceType>> Discovery::find_kind(std::string_view group, std::string_view version,
                                                         std::string_view kind) {
  ResourceType probe{std::string(group), std::string(version), "", std::string(kind), true};
  auto list = resource_list(client_, *cache_, probe.group_version_path());
  if (!list) return std::move(list).error();
  std::optional<ResourceType> found;
  if (!*list) return found;
  const auto* resources = resources_of(**list);
  if (resources == nullptr) return found;
  for (const auto& resource : resources->GetArray()) {
    if (!resource.IsObject()) continue;
    std::string_view plural = string_of(resource, "name");
    if (plural.empty() || plural.find('/') != std::string_view::npos) continue;  // subresources
    if (string_of(resource, "kind") != kind) continue;
    ResourceType type = probe;
    type.plural = std::string(plural);
    if (auto namespaced = resource.FindMember("namespaced");
        namespaced != resource.MemberEnd() && namespaced->value.IsBool()) {
      type.namespaced = namespaced->value.GetBool();
    }
    found = std::move(type);
    break;
  }
  return found;
}

}  // namespace dr::kube
