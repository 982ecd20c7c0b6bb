#include "dr/kube/api_client.hpp"

#include <map>

#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "dr/kube/auth.hpp"

namespace dr::kube {

namespace {

// kube-apiserver's reason for a status code, used when a response carries no Status body.
std::string_view reason_for(long status) {
  switch (status) {
    case 400: return "BadRequest";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "NotFound";
    case 405: return "MethodNotAllowed";
    case 406: return "NotAcceptable";
    case 409: return "Conflict";
    case 410: return "Expired";
    case 413: return "RequestEntityTooLarge";
    case 415: return "UnsupportedMediaType";
    case 422: return "Invalid";
    case 429: return "TooManyRequests";
    case 500: return "InternalError";
    case 503: return "ServiceUnavailable";
    case 504: return "Timeout";
    default: return "";
  }
}

// client-go's wording for a status code without a usable Status body.
std::string message_for(long status) {
  switch (status) {
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "the server could not find the requested resource";
    case 409: return "the server reported a conflict";
    case 429: return "the server has received too many requests and has asked us to try again later";
    case 500: return "an error on the server has prevented the request from succeeding";
    case 503: return "the server is currently unable to handle the request";
    case 504: return "the server was unable to return a response in the time allotted, but may still be processing the request";
    default: return "the server responded with the status code " + std::to_string(status) +
                    " but did not return more information";
  }
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// Builds "path?a=1&b=2" with encoded values.
class Query {
 public:
  explicit Query(std::string path) : text_(std::move(path)) {}
  Query& add(std::string_view key, std::string_view value) {
    if (value.empty()) return *this;
    text_ += first_ ? '?' : '&';
    first_ = false;
    text_ += key;
    text_ += '=';
    text_ += percent_encode(value);
    return *this;
  }
  std::string str() && { return std::move(text_); }

 private:
  std::string text_;
  bool first_ = true;
};

std::string_view content_type(PatchType type) {
  switch (type) {
    case PatchType::Merge: return "application/merge-patch+json";
    case PatchType::Json: return "application/json-patch+json";
    case PatchType::Strategic: return "application/strategic-merge-patch+json";
  }
  return "application/merge-patch+json";
}

Result<rapidjson::Document> parse_json(const std::string& body, std::string_view what) {
  rapidjson::Document document;
  document.Parse(body.data(), body.size());
  if (document.HasParseError()) {
    return Error::make(ErrorCode::Decode, std::string("the server's response to ") + std::string(what) +
                                              " is not valid JSON: " +
                                              rapidjson::GetParseError_En(document.GetParseError()) +
                                              " at offset " + std::to_string(document.GetErrorOffset()));
  }
  return document;
}

std::string serialize(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return {buffer.GetString(), buffer.GetSize()};
}

bool is_success(long status) { return status >= 200 && status < 300; }

}  // namespace

Error error_from_response(const HttpResponse& response) {
  rapidjson::Document document;
  document.Parse(response.body.data(), response.body.size());
  if (!document.HasParseError() && document.IsObject()) {
    auto kind = document.FindMember("kind");
    if (kind != document.MemberEnd() && kind->value.IsString() && std::string_view(kind->value.GetString()) == "Status") {
      std::string message;
      std::string reason;
      long code = response.status;
      if (auto m = document.FindMember("message"); m != document.MemberEnd() && m->value.IsString()) {
        message = m->value.GetString();
      }
      if (auto r = document.FindMember("reason"); r != document.MemberEnd() && r->value.IsString()) {
        reason = r->value.GetString();
      }
      if (auto c = document.FindMember("code"); c != document.MemberEnd() && c->value.IsInt()) {
        code = c->value.GetInt();
      }
      if (reason.empty()) reason = std::string(reason_for(code));
      if (message.empty()) message = message_for(code);
      return Error::server(static_cast<int>(code), std::move(reason), std::move(message));
    }
  }
  return Error::server(static_cast<int>(response.status), std::string(reason_for(response.status)),
                       message_for(response.status));
}

struct ApiClient::Impl {
  Impl(RestConfig config, TransportOptions options)
      : transport(config, make_auth_provider(config), std::move(options)) {}
  Transport transport;
  std::unique_ptr<Discovery> discovery;

  Result<rapidjson::Document> send(HttpRequest request, std::string_view what) {
    auto response = transport.perform(std::move(request));
    if (!response) return std::move(response).error();
    if (!is_success(response->status)) return error_from_response(*response);
    return parse_json(response->body, what);
  }
};

ApiClient::ApiClient(RestConfig config, TransportOptions options)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(options))) {
  impl_->discovery = std::make_unique<Discovery>(*this);
}

ApiClient::~ApiClient() = default;

const RestConfig& ApiClient::config() const { return impl_->transport.config(); }
Transport& ApiClient::transport() { return impl_->transport; }
Discovery& ApiClient::discovery() { return *impl_->discovery; }

Result<rapidjson::Document> ApiClient::get(const ResourceType& type, std::string_view ns, std::string_view name) {
  HttpRequest request;
  request.path_and_query = type.path(ns, name);
  request.retry_safe = true;
  return impl_->send(std::move(request), "get " + type.group_resource());
}

Status ApiClient::list(const ResourceType& type, std::string_view ns, const ListOptions& options,
                       const PageHandler& on_page) {
  std::string continue_token;
  bool restarted = false;
  while (true) {
    Query query(type.path(ns));
    if (options.page_size > 0) query.add("limit", std::to_string(options.page_size));
    query.add("continue", continue_token);
    query.add("labelSelector", options.label_selector);
    query.add("fieldSelector", options.field_selector);
    HttpRequest request;
    request.path_and_query = std::move(query).str();
    request.retry_safe = true;
    auto response = impl_->transport.perform(std::move(request));
    if (!response) return std::move(response).error();
    if (response->status == 410 && !continue_token.empty() && !restarted) {
      // The continue token expired (the server compacted past it): start over once. Handlers see
      // some objects twice, which every caller here tolerates (plans are idempotent).
      restarted = true;
      continue_token.clear();
      continue;
    }
    if (!is_success(response->status)) return error_from_response(*response);
    auto document = parse_json(response->body, "list " + type.group_resource());
    if (!document) return std::move(document).error();
    auto& list = *document;
    if (!list.IsObject()) return Error::make(ErrorCode::Decode, "list " + type.group_resource() + ": not an object");
    std::string_view resource_version;
    std::string next;
    if (auto metadata = list.FindMember("metadata"); metadata != list.MemberEnd() && metadata->value.IsObject()) {
      if (auto rv = metadata->value.FindMember("resourceVersion");
          rv != metadata->value.MemberEnd() && rv->value.IsString()) {
        resource_version = rv->value.GetString();
      }
      if (auto c = metadata->value.FindMember("continue"); c != metadata->value.MemberEnd() && c->value.IsString()) {
        next = c->value.GetString();
      }
    }
    auto items = list.FindMember("items");
    if (items == list.MemberEnd() || !(items->value.IsArray() || items->value.IsNull())) {
      return Error::make(ErrorCode::Decode, "list " + type.group_resource() + ": items is not an array");
    }
    if (items->value.IsNull()) items->value.SetArray();
    if (auto handled = on_page(items->value, resource_version); !handled) return handled;
    if (next.empty()) return {};
    continue_token = std::move(next);
  }
}

namespace {
HttpRequest write_request(std::string method, std::string path, const WriteOptions& options, std::string body,
                          std::string_view type) {
  Query query(std::move(path));
  if (options.dry_run) query.add("dryRun", "All");
  query.add("fieldManager", options.field_manager);
  HttpRequest request;
  request.method = std::move(method);
  request.path_and_query = std::move(query).str();
  request.body = std::move(body);
  request.headers.emplace_back("Content-Type", std::string(type));
  return request;
}
}  // namespace

Result<rapidjson::Document> ApiClient::create(const ResourceType& type, std::string_view ns,
                                              const rapidjson::Value& object, const WriteOptions& options) {
  auto request = write_request("POST", type.path(ns), options, serialize(object), "application/json");
  return impl_->send(std::move(request), "create " + type.group_resource());
}

Result<rapidjson::Document> ApiClient::update(const ResourceType& type, std::string_view ns,
                                              const rapidjson::Value& object, const WriteOptions& options) {
  std::string name;
  if (object.IsObject()) {
    if (auto metadata = object.FindMember("metadata"); metadata != object.MemberEnd() && metadata->value.IsObject()) {
      if (auto n = metadata->value.FindMember("name"); n != metadata->value.MemberEnd() && n->value.IsString()) {
        name = n->value.GetString();
      }
    }
  }
  if (name.empty()) return Error::usage("update " + type.group_resource() + ": the object has no metadata.name");
  auto request = write_request("PUT", type.path(ns, name, options.subresource), options, serialize(object),
                               "application/json");
  // A PUT carries the resourceVersion it read: a repeat after success answers 409, never a lost update.
  request.retry_safe = true;
  return impl_->send(std::move(request), "update " + type.group_resource());
}

Result<rapidjson::Document> ApiClient::patch(const ResourceType& type, std::string_view ns, std::string_view name,
                                             PatchType patch_type, std::string body, const WriteOptions& options) {
  auto request = write_request("PATCH", type.path(ns, name, options.subresource), options, std::move(body),
                               content_type(patch_type));
  request.retry_safe = patch_type == PatchType::Merge;
  return impl_->send(std::move(request), "patch " + type.group_resource());
}

Status ApiClient::remove(const ResourceType& type, std::string_view ns, std::string_view name) {
  HttpRequest request;
  request.method = "DELETE";
  request.path_and_query = type.path(ns, name);
  request.retry_safe = true;
  auto response = impl_->transport.perform(std::move(request));
  if (!response) return std::move(response).error();
  if (!is_success(response->status)) return error_from_response(*response);
  return {};
}

void ApiClient::patch_async(const ResourceType& type, std::string_view ns, std::string_view name,
                            PatchType patch_type, std::string body, const WriteOptions& options, PatchDone done,
                            bool retry_safe) {
  auto request = write_request("PATCH", type.path(ns, name, options.subresource), options, std::move(body),
                               content_type(patch_type));
  request.retry_safe = retry_safe;
  impl_->transport.submit(std::move(request), [done = std::move(done)](Result<HttpResponse> response) {
    if (!response) {
      done(std::move(response).error());
      return;
    }
    if (!is_success(response->status)) {
      done(error_from_response(*response));
      return;
    }
    rapidjson::Document document;
    document.Parse(response->body.data(), response->body.size());
    if (document.HasParseError()) {
      done(Error::make(ErrorCode::Decode, "the server's response to a patch is not valid JSON"));
      return;
    }
    done(std::move(document));
  });
}

void ApiClient::run_pending() { impl_->transport.run(); }

Status ApiClient::watch(const ResourceType& type, std::string_view ns, const ListOptions& options,
                        std::string_view resource_version, std::chrono::milliseconds timeout,
                        const WatchHandler& handler) {
  Query query(type.path(ns));
  query.add("watch", "1");
  query.add("resourceVersion", resource_version);
  query.add("allowWatchBookmarks", "true");
  query.add("labelSelector", options.label_selector);
  query.add("fieldSelector", options.field_selector);
  if (timeout.count() > 0) {
    query.add("timeoutSeconds", std::to_string(std::max<long long>(1, (timeout.count() + 999) / 1000)));
  }
  HttpRequest request;
  request.path_and_query = std::move(query).str();
  request.retry_safe = true;
  request.timeout = timeout.count() > 0 ? timeout + std::chrono::seconds(5) : std::chrono::milliseconds(0);

  std::string pending;
  Status outcome;
  bool stopped = false;
  request.on_chunk = [&](std::string_view chunk) {
    pending.append(chunk);
    std::size_t start = 0;
    for (std::size_t newline = pending.find('\n', start); newline != std::string::npos;
         newline = pending.find('\n', start)) {
      std::string_view line(pending.data() + start, newline - start);
      start = newline + 1;
      if (line.empty()) continue;
      rapidjson::Document event;
      event.Parse(line.data(), line.size());
      if (event.HasParseError() || !event.IsObject()) {
        outcome = Error::make(ErrorCode::Decode, "watch " + type.group_resource() + ": an event is not valid JSON");
        stopped = true;
        return false;
      }
      auto event_type = event.FindMember("type");
      auto object = event.FindMember("object");
      if (event_type == event.MemberEnd() || !event_type->value.IsString() || object == event.MemberEnd()) {
        continue;
      }
      std::string_view kind = event_type->value.GetString();
      if (kind == "ERROR") {
        HttpResponse as_response;
        as_response.status = 500;
        as_response.body = serialize(object->value);
        outcome = error_from_response(as_response);
        stopped = true;
        return false;
      }
      if (kind == "BOOKMARK") continue;
      if (!handler(kind, object->value)) {
        stopped = true;
        return false;
      }
    }
    pending.erase(0, start);
    return true;
  };
  auto response = impl_->transport.perform(std::move(request));
  if (!outcome) return outcome;
  if (stopped) return {};
  if (!response) return std::move(response).error();
  if (!is_success(response->status)) return error_from_response(*response);
  if (timeout.count() > 0) {
    return Error::make(ErrorCode::Timeout, "timed out waiting for " + type.group_resource());
  }
  return {};
}

// --- Discovery --------------------------------------------------------------------------------

struct Discovery::Cache {
  // group/version path -> the APIResourceList, or null when the group/version is not served.
  std::map<std::string, std::shared_ptr<rapidjson::Document>> lists;
};

Discovery::Discovery(ApiClient& client) : client_(client), cache_(std::make_shared<Cache>()) {}

namespace {
Result<std::shared_ptr<rapidjson::Document>> resource_list(ApiClient& client, Discovery::Cache& cache,
                                                          const std::string& group_version_path) {
  if (auto it = cache.lists.find(group_version_path); it != cache.lists.end()) return it->second;
  HttpRequest request;
  request.path_and_query = group_version_path;
  request.retry_safe = true;
  auto response = client.transport().perform(std::move(request));
  if (!response) return std::move(response).error();
  std::shared_ptr<rapidjson::Document> list;
  if (response->status == 404) {
    cache.lists.emplace(group_version_path, nullptr);
    return list;
  }
  if (!is_success(response->status)) return error_from_response(*response);
  auto document = parse_json(response->body, "discovery of " + group_version_path);
  if (!document) return std::move(document).error();
  list = std::make_shared<rapidjson::Document>(std::move(document).value());
  cache.lists.emplace(group_version_path, list);
  return list;
}

const rapidjson::Value* resources_of(const rapidjson::Document& list) {
  if (!list.IsObject()) return nullptr;
  auto resources = list.FindMember("resources");
  if (resources == list.MemberEnd() || !resources->value.IsArray()) return nullptr;
  return &resources->value;
}
}  // namespace

Result<bool> Discovery::serves(const ResourceType& type) {
  auto list = resource_list(client_, *cache_, type.group_version_path());
  if (!list) return std::move(list).error();
  if (!*list) return false;
  const auto* resources = resources_of(**list);
  if (resources == nullptr) return false;
  for (const auto& resource : resources->GetArray()) {
    auto name = resource.FindMember("name");
    if (name != resource.MemberEnd() && name->value.IsString() && type.plural == name->value.GetString()) return true;
  }
  return false;
}

Status Discovery::require(const ResourceType& type) {
  auto served = serves(type);
  if (!served) return std::move(served).error();
  if (*served) return {};
  std::string message = "the server doesn't have a resource type \"" + type.plural + "\"";
  if (type.group == "stork.libopenstorage.org") message += " — is Stork installed on this cluster?";
  return Error::make(ErrorCode::NotServed, std::move(message));
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
    auto k = resource.FindMember("kind");
    auto name = resource.FindMember("name");
    if (k == resource.MemberEnd() || name == resource.MemberEnd() || !k->value.IsString() ||
        !name->value.IsString()) {
      continue;
    }
    std::string_view plural = name->value.GetString();
    if (plural.find('/') != std::string_view::npos) continue;  // subresources
    if (kind != k->value.GetString()) continue;
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
