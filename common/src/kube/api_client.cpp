#include "dr/kube/api_client.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <system_error>
#include <thread>
#include <unordered_set>

#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "dr/core/json.hpp"
#include "dr/core/strings.hpp"
#include "dr/kube/auth.hpp"
#include "dr/kube/names.hpp"
#include "kube/api_internal.hpp"
#include "kube/http_status.hpp"

namespace dr::kube {

namespace detail {

Result<rapidjson::Document> parse_json(std::string body, std::string_view what) {
  rapidjson::Document document;
  if (body.empty()) {
    document.SetObject();
    return document;
  }
  if (auto invalid = json::parse_untrusted_in_place(document, body)) {
    return Error::make(ErrorCode::Decode,
                       "the server's answer to " + std::string(what) + " is not valid JSON: " + *invalid);
  }
  return document;
}

std::string serialize(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace detail

using detail::is_success;
using detail::parse_json;
using detail::serialize;

namespace {

constexpr std::size_t kMaxWatchEventBytes = std::size_t{16} << 20;

using json::string_member;

}  // namespace

namespace detail {

Result<ListPage> decode_list_page(std::string body, const std::string& what) {
  ListPage page;
  auto document = parse_json(std::move(body), what);
  if (!document) return std::move(document).error();
  page.document = std::move(*document);
  auto& list = page.document;
  if (!list.IsObject()) return Error::make(ErrorCode::Decode, what + ": the answer is not an object");
  if (auto metadata = list.FindMember("metadata"); metadata != list.MemberEnd()) {
    page.resource_version = std::string(string_member(metadata->value, "resourceVersion"));
    page.continue_token = std::string(string_member(metadata->value, "continue"));
  }
  auto items = list.FindMember("items");
  if (items == list.MemberEnd()) {
    return Error::make(ErrorCode::Decode, what + ": the answer has no items (is it a list?)");
  }
  if (items->value.IsNull()) items->value.SetArray();  // Go encodes an empty slice as null
  if (!items->value.IsArray()) return Error::make(ErrorCode::Decode, what + ": items is not an array");
  return page;
}

namespace {

// Reads a list's head up to the end of its top-level metadata and keeps metadata.continue; ends the
// parse there (returning false), at "items", or at anything nested deeper than metadata needs.
class ContinueTokenReader {
 public:
  using Ch = char;
  bool Null() { return true; }
  bool Bool(bool) { return true; }
  bool Int(int) { return true; }
  bool Uint(unsigned) { return true; }
  bool Int64(std::int64_t) { return true; }
  bool Uint64(std::uint64_t) { return true; }
  bool Double(double) { return true; }
  bool RawNumber(const Ch*, rapidjson::SizeType, bool) { return true; }
  bool String(const Ch* text, rapidjson::SizeType length, bool) {
    // The first one, as FindMember finds it in the decoded page.
    if (in_metadata() && key_ == "continue" && !token_seen_) {
      token_.assign(text, length);
      token_seen_ = true;
    }
    return true;
  }
  bool Key(const Ch* text, rapidjson::SizeType length, bool) {
    key_.assign(text, length);
    return !(depth_ == 1 && key_ == "items");
  }
  bool StartObject() {
    if (depth_ == 1 && key_ == "metadata") metadata_opened_ = true;
    return ++depth_ <= kDeepest;
  }
  bool EndObject(rapidjson::SizeType) {
    if (in_metadata()) {
      metadata_read_ = true;
      return false;
    }
    --depth_;
    return true;
  }
  bool StartArray() { return depth_ > 0 && ++depth_ <= kDeepest; }
  bool EndArray(rapidjson::SizeType) {
    --depth_;
    return true;
  }

  // The token, once the whole metadata object was read.
  std::string token() && { return metadata_read_ ? std::move(token_) : std::string(); }

 private:
  static constexpr std::size_t kDeepest = 8;
  // Directly inside the top-level metadata object (the root is depth 1).
  bool in_metadata() const { return metadata_opened_ && depth_ == 2; }

  std::size_t depth_ = 0;
  bool metadata_opened_ = false;
  bool metadata_read_ = false;
  bool token_seen_ = false;
  std::string key_;
  std::string token_;
};

}  // namespace

std::string peek_continue_token(std::string_view body) {
  ContinueTokenReader handler;
  json::read_events(body, handler);  // always ended early, or by an error
  return std::move(handler).token();
}

Result<std::optional<WatchEvent>> decode_watch_line(std::string_view line, const std::string& what) {
  WatchEvent event;
  if (json::parse_untrusted(event.document, line) || !event.document.IsObject()) {
    return Error::make(ErrorCode::Decode, what + ": an event is not valid JSON");
  }
  event.type = std::string(string_member(event.document, "type"));
  auto object = event.document.FindMember("object");
  if (event.type.empty() || object == event.document.MemberEnd()) return std::optional<WatchEvent>();
  if (event.type == "ERROR") {
    // The object is a Status: 410 Expired for a resourceVersion that is too old, and so on.
    HttpResponse as_response;
    as_response.status = 500;
    as_response.body = serialize(object->value);
    return error_from_response(as_response);
  }
  if (event.type == "BOOKMARK") return std::optional<WatchEvent>();
  return std::optional<WatchEvent>(std::move(event));
}

}  // namespace detail

Error error_from_response(const HttpResponse& response) {
  rapidjson::Document document;
  const bool parsed = !json::parse_untrusted(document, response.body);
  if (parsed && document.IsObject() && string_member(document, "kind") == "Status") {
    std::string message(string_member(document, "message"));
    std::string reason(string_member(document, "reason"));
    long code = response.status;
    if (auto c = document.FindMember("code");
        c != document.MemberEnd() && c->value.IsInt() && c->value.GetInt() > 0) {
      code = c->value.GetInt();
    }
    if (reason.empty()) reason = std::string(status_reason_for(code));
    if (message.empty()) message = status_message_for(code);
    return Error::server(static_cast<int>(code), std::move(reason), std::move(message));
  }
  // Not a Status (a proxy's page, an empty body): the status code says what happened. As client-go
  // does, a short plain-text body is the message for 403/406/415 and is quoted for 500.
  const long status = response.status;
  // 410 without a Status is a proxy's "Gone", not an expired resourceVersion.
  std::string reason(status == 410 ? std::string_view("Gone") : status_reason_for(status));
  std::string message = status_message_for(status);
  std::string_view text = response.body;
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  const bool short_text = !text.empty() && text.size() <= 256 && text.front() != '<' && text.front() != '{';
  if (short_text && (status == 403 || status == 406 || status == 415)) message = std::string(text);
  if (short_text && status == 500) {
    message =
        "an error on the server (\"" + std::string(text) + "\") has prevented the request from succeeding";
  }
  return Error::server(static_cast<int>(status), std::move(reason), std::move(message));
}

std::string_view patch_content_type(PatchType type) {
  switch (type) {
    case PatchType::Merge:
      return "application/merge-patch+json";
    case PatchType::Json:
      return "application/json-patch+json";
    case PatchType::Strategic:
      return "application/strategic-merge-patch+json";
  }
  return "application/merge-patch+json";
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

std::string with_query(std::string path, const QueryParams& params) {
  bool first = path.find('?') == std::string::npos;
  for (const auto& [key, value] : params) {
    if (value.empty()) continue;
    path += first ? '?' : '&';
    first = false;
    path += key;
    path += '=';
    path += percent_encode(value);
  }
  return path;
}

namespace {

// The path of a collection (empty name) or of one object, after checking the namespace and name
// as the API server would: a value it would refuse never reaches a request, where "../x" or "x?y"
// would otherwise address something else.
Result<std::string> checked_path(const ResourceType& type, std::string_view ns, std::string_view name = {},
                                 std::string_view subresource = {}) {
  if (type.namespaced && !ns.empty()) DR_TRY(validate_namespace(ns));
  if (!name.empty()) DR_TRY(validate_name(type, name));
  return type.path(ns, name, subresource);
}

// As checked_path, for requests about one object, whose name may not be empty (kubectl's words).
Result<std::string> checked_object_path(const ResourceType& type, std::string_view ns, std::string_view name,
                                        std::string_view subresource = {}) {
  if (name.empty()) return Error::usage("resource name may not be empty");
  return checked_path(type, ns, name, subresource);
}

HttpRequest write_request(std::string method, std::string path, const WriteOptions& options, std::string body,
                          std::string_view content_type) {
  HttpRequest request;
  request.method = std::move(method);
  request.path_and_query = with_query(
      std::move(path), {{"dryRun", options.dry_run ? "All" : ""}, {"fieldManager", options.field_manager}});
  request.body = std::move(body);
  request.headers.emplace_back("Content-Type", std::string(content_type));
  return request;
}

// Turns a transport answer into the decoded object or the server's error.
Result<rapidjson::Document> decode(Result<HttpResponse> response, std::string_view what,
                                   bool decode_answer = true) {
  if (!response) return std::move(response).error();
  if (!is_success(response->status)) return error_from_response(*response);
  if (!decode_answer) {
    rapidjson::Document empty;
    empty.SetObject();
    return empty;
  }
  return parse_json(std::move(response->body), what);
}

// A read asked for ahead of the queued requests, for its caller to wait on later. Shared with its
// completion, which may run after that caller has returned early.
using PendingAnswer = std::shared_ptr<std::optional<Result<HttpResponse>>>;

PendingAnswer ask_ahead(Transport& transport, HttpRequest request) {
  auto answer = std::make_shared<std::optional<Result<HttpResponse>>>();
  transport.submit_first(std::move(request),
                         [answer](Result<HttpResponse> response) { answer->emplace(std::move(response)); });
  return answer;
}

// Drives the transport until the answer is in (the other requests keep going meanwhile).
Result<HttpResponse> await_answer(Transport& transport, const PendingAnswer& answer) {
  transport.run_until([&answer] { return answer->has_value(); });
  if (!answer->has_value()) return Error::make(ErrorCode::Cancelled, "interrupted");
  return std::move(**answer);
}

}  // namespace

struct ApiClient::Impl {
  Impl(RestConfig config, std::shared_ptr<AuthProvider> auth, TransportOptions options)
      : transport(std::move(config), std::move(auth), std::move(options)) {}
  Transport transport;
  std::unique_ptr<Discovery> discovery;
  // First pages asked for by prefetch_list(), by request path.
  std::map<std::string, PendingAnswer, std::less<>> prefetched_lists;

  Result<rapidjson::Document> send(HttpRequest request, std::string_view what) {
    return decode(transport.perform(std::move(request)), what);
  }

  void send_async(HttpRequest request, std::string what, Done done, bool decode_answer = true) {
    transport.submit(std::move(request), [what = std::move(what), done = std::move(done),
                                          decode_answer](Result<HttpResponse> response) {
      done(decode(std::move(response), what, decode_answer));
    });
  }
};

namespace {
std::shared_ptr<AuthProvider> provider_for(const RestConfig& config) {
  return make_auth_provider(config);
}
}  // namespace

ApiClient::ApiClient(const RestConfig& config, TransportOptions options)
    : ApiClient(config, provider_for(config), std::move(options)) {}

ApiClient::ApiClient(RestConfig config, std::shared_ptr<AuthProvider> auth, TransportOptions options)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(auth), std::move(options))) {
  impl_->discovery = std::make_unique<Discovery>(*this);
}

ApiClient::~ApiClient() = default;

const RestConfig& ApiClient::config() const {
  return impl_->transport.config();
}
Transport& ApiClient::transport() {
  return impl_->transport;
}
Discovery& ApiClient::discovery() {
  return *impl_->discovery;
}

Result<rapidjson::Document> ApiClient::get(const ResourceType& type, std::string_view ns,
                                           std::string_view name) {
  HttpRequest request;
  DR_TRY_ASSIGN(request.path_and_query, checked_object_path(type, ns, name));
  request.retry_safe = true;
  return impl_->send(std::move(request), "get " + type.group_resource());
}

namespace {

// Decodes a page of a list. With requests still outstanding (the writes a bulk caller queued from
// the previous page), on a worker thread while this one keeps those requests moving: decoding
// 500 objects takes milliseconds, in which a pool of a few connections drains and the server
// would otherwise wait for us.
Result<detail::ListPage> decode_page_driving(Transport& transport, std::string body,
                                             const std::string& what) {
  if (transport.outstanding() == 0) return detail::decode_list_page(std::move(body), what);
  std::optional<Result<detail::ListPage>> page;
  std::atomic<bool> decoded{false};
  std::thread decoder;
  try {
    decoder = std::thread([&] {
      page.emplace(detail::decode_list_page(std::move(body), what));
      decoded.store(true, std::memory_order_release);
      transport.wake();
    });
  } catch (const std::system_error&) {
    return detail::decode_list_page(std::move(body), what);  // no thread to be had (a process limit)
  }
  transport.run_until([&] { return decoded.load(std::memory_order_acquire); });
  decoder.join();
  return std::move(*page);
}

HttpRequest list_page_request(const std::string& collection, const ListOptions& options,
                              const std::string& continue_token) {
  const std::string limit = options.page_size > 0 ? std::to_string(options.page_size) : std::string();
  HttpRequest request;
  request.path_and_query = with_query(collection, {{"limit", limit},
                                                   {"continue", continue_token},
                                                   {"labelSelector", options.label_selector},
                                                   {"fieldSelector", options.field_selector}});
  request.retry_safe = true;
  return request;
}

}  // namespace

void ApiClient::prefetch_list(const ResourceType& type, std::string_view ns, const ListOptions& options) {
  auto collection = checked_path(type, ns);
  if (!collection) return;  // list() meets the same error and returns it
  auto request = list_page_request(*collection, options, {});
  std::string path = request.path_and_query;
  impl_->prefetched_lists.insert_or_assign(std::move(path), ask_ahead(impl_->transport, std::move(request)));
}

Result<void> ApiClient::list(const ResourceType& type, std::string_view ns, const ListOptions& options,
                             const PageHandler& on_page) {
  const std::string what = "list " + type.group_resource();
  DR_TRY_ASSIGN(const std::string collection, checked_path(type, ns));
  auto page_request = [&](const std::string& continue_token) {
    return list_page_request(collection, options, continue_token);
  };
  Transport& transport = impl_->transport;
  std::string continue_token;
  // Every token this list was handed: a server (or a proxy's cache) that hands one out again
  // would have us page forever, holding ever more.
  std::unordered_set<std::string> tokens_seen;
  bool restarted = false;
  auto first_answer = [&]() -> Result<HttpResponse> {
    auto first_page = page_request(continue_token);
    auto found = impl_->prefetched_lists.find(first_page.path_and_query);
    if (found == impl_->prefetched_lists.end()) return transport.perform(std::move(first_page));
    const PendingAnswer answer = std::move(found->second);
    impl_->prefetched_lists.erase(found);
    return await_answer(transport, answer);
  };
  auto response = first_answer();
  while (true) {
    if (!response) return std::move(response).error();
    if (response->status == 410 && !continue_token.empty() && !restarted) {
      // The continue token expired (the server compacted past its snapshot): start over, once.
      restarted = true;
      continue_token.clear();
      tokens_seen.clear();
      response = transport.perform(page_request(continue_token));
      continue;
    }
    if (!is_success(response->status)) return error_from_response(*response);
    // The next page is asked for before this one is decoded and handled, so that the server builds
    // it meanwhile.
    const std::string peeked = detail::peek_continue_token(response->body);
    PendingAnswer next_page;
    if (!peeked.empty() && !tokens_seen.contains(peeked))
      next_page = ask_ahead(transport, page_request(peeked));
    {
      // This page's text goes with its decoding, its document before the next page is decoded.
      auto page = decode_page_driving(transport, std::move(response->body), what);
      if (!page) return std::move(page).error();
      if (auto handled = on_page(page->items(), page->resource_version); !handled) return handled;
      if (page->continue_token.empty()) return {};
      if (!tokens_seen.insert(page->continue_token).second) {
        return Error::make(ErrorCode::Decode, what +
                                                  ": the server handed out the same continue token twice; "
                                                  "following it would never end the list");
      }
      continue_token = std::move(page->continue_token);
    }
    if (next_page && peeked == continue_token) {
      response = await_answer(transport, next_page);
    } else {
      response = transport.perform(page_request(continue_token));
    }
  }
}

Result<rapidjson::Document> ApiClient::create(const ResourceType& type, std::string_view ns,
                                              const rapidjson::Value& object, const WriteOptions& options) {
  DR_TRY_ASSIGN(auto path, checked_path(type, ns));
  // The server takes the name from the body: it is checked here as it would be in a path.
  if (const auto name = json::object_name(object); !name.empty()) DR_TRY(validate_name(type, name));
  auto request = write_request("POST", std::move(path), options, serialize(object), "application/json");
  // Not retry_safe: a repeat after the server applied it answers AlreadyExists.
  return impl_->send(std::move(request), "create " + type.group_resource());
}

Result<rapidjson::Document> ApiClient::update(const ResourceType& type, std::string_view ns,
                                              const rapidjson::Value& object, const WriteOptions& options) {
  const std::string name(json::object_name(object));
  if (name.empty())
    return Error::usage("update " + type.group_resource() + ": the object has no metadata.name");
  DR_TRY_ASSIGN(auto path, checked_object_path(type, ns, name, options.subresource));
  auto request = write_request("PUT", std::move(path), options, serialize(object), "application/json");
  // A PUT carries the resourceVersion it read: a repeat after success answers 409, never a lost update.
  request.retry_safe = true;
  return impl_->send(std::move(request), "update " + type.group_resource());
}

Result<rapidjson::Document> ApiClient::patch(const ResourceType& type, std::string_view ns,
                                             std::string_view name, PatchType patch_type, std::string body,
                                             const WriteOptions& options) {
  DR_TRY_ASSIGN(auto path, checked_object_path(type, ns, name, options.subresource));
  auto request =
      write_request("PATCH", std::move(path), options, std::move(body), patch_content_type(patch_type));
  // A merge patch sets absolute values: applying it twice equals applying it once.
  request.retry_safe = patch_type == PatchType::Merge;
  return impl_->send(std::move(request), "patch " + type.group_resource());
}

Result<void> ApiClient::remove(const ResourceType& type, std::string_view ns, std::string_view name) {
  HttpRequest request;
  request.method = "DELETE";
  DR_TRY_ASSIGN(request.path_and_query, checked_object_path(type, ns, name));
  request.retry_safe = true;  // a repeat after success answers NotFound
  auto response = impl_->transport.perform(std::move(request));
  if (!response) return std::move(response).error();
  if (!is_success(response->status)) return error_from_response(*response);
  return {};
}

void ApiClient::patch_async(const ResourceType& type, std::string_view ns, std::string_view name,
                            PatchType patch_type, std::string body, const WriteOptions& options,
                            PatchDone done, bool retry_safe) {
  auto path = checked_object_path(type, ns, name, options.subresource);
  if (!path) {
    done(std::move(path).error());
    return;
  }
  auto request =
      write_request("PATCH", std::move(*path), options, std::move(body), patch_content_type(patch_type));
  request.retry_safe = retry_safe;
  impl_->send_async(std::move(request), "patch " + type.group_resource(), std::move(done),
                    options.decode_answer);
}

void ApiClient::submit(std::string method, const ResourceType& type, std::string_view ns,
                       std::string_view name, std::string body, std::string_view content_type,
                       bool retry_safe, Done done) {
  auto path = checked_path(type, ns, name);
  if (!path) {
    done(std::move(path).error());
    return;
  }
  HttpRequest request;
  std::string what = method + " " + type.group_resource();
  request.method = std::move(method);
  request.path_and_query = std::move(*path);
  request.body = std::move(body);
  if (!content_type.empty()) request.headers.emplace_back("Content-Type", std::string(content_type));
  request.retry_safe = retry_safe;
  impl_->send_async(std::move(request), std::move(what), std::move(done));
}

void ApiClient::run_pending() {
  impl_->transport.run();
}

void ApiClient::run_pending_until_at_most(std::size_t outstanding) {
  impl_->transport.run_until_at_most(outstanding);
}

void ApiClient::pump_pending() {
  impl_->transport.pump();
}

Result<void> ApiClient::watch(const ResourceType& type, std::string_view ns, const ListOptions& options,
                              std::string_view resource_version, std::chrono::milliseconds timeout,
                              const WatchHandler& handler) {
  const std::string what = "watch " + type.group_resource();
  const std::string timeout_seconds =
      timeout.count() > 0 ? std::to_string(std::max<long long>(1, (timeout.count() + 999) / 1000))
                          : std::string();
  HttpRequest request;
  DR_TRY_ASSIGN(auto collection, checked_path(type, ns));
  request.path_and_query = with_query(std::move(collection), {{"watch", "1"},
                                                              {"resourceVersion", resource_version},
                                                              {"timeoutSeconds", timeout_seconds},
                                                              {"allowWatchBookmarks", "true"},
                                                              {"labelSelector", options.label_selector},
                                                              {"fieldSelector", options.field_selector}});
  // Retried only until the first event arrives (the transport never repeats a stream that delivered data).
  request.retry_safe = true;
  // The server ends the watch after timeoutSeconds; the client limit is a little later, as a backstop.
  request.timeout = timeout.count() > 0 ? timeout + std::chrono::seconds(5) : std::chrono::milliseconds(0);

  std::string pending;
  Result<void> outcome;
  bool stopped = false;
  request.on_chunk = [&](std::string_view chunk) {
    pending.append(chunk);
    std::size_t start = 0;
    for (std::size_t newline = pending.find('\n', start); newline != std::string::npos;
         newline = pending.find('\n', start)) {
      std::string_view line(pending.data() + start, newline - start);
      start = newline + 1;
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
      if (line.empty()) continue;
      auto event = detail::decode_watch_line(line, what);
      if (!event) {
        outcome = std::move(event).error();
        stopped = true;
        return false;
      }
      if (!*event) continue;
      if (!handler((*event)->type, (*event)->object())) {
        stopped = true;
        return false;
      }
    }
    pending.erase(0, start);
    // One event is one object, and etcd stores objects of at most 1.5 MiB: a line this long without
    // its newline is not a watch event.
    if (pending.size() > kMaxWatchEventBytes) {
      outcome = Error::make(ErrorCode::Decode, what + ": a watch event is larger than " +
                                                   std::to_string(kMaxWatchEventBytes >> 20) + " MiB");
      stopped = true;
      return false;
    }
    return true;
  };
  const auto started = std::chrono::steady_clock::now();
  auto timed_out = [&] {
    return Error::make(ErrorCode::Timeout, "timed out waiting for the condition on " + type.group_resource());
  };
  auto response = impl_->transport.perform(std::move(request));
  if (!outcome) return outcome;
  if (stopped) return {};
  if (!response) {
    if (response.error().code == ErrorCode::Timeout && timeout.count() > 0) return timed_out();
    return std::move(response).error();
  }
  if (!is_success(response->status)) return error_from_response(*response);
  // The server closed the stream: at timeoutSeconds (our deadline), or earlier on its own account
  // (apiservers end watches after a while); then the caller may watch again.
  if (timeout.count() > 0 &&
      std::chrono::steady_clock::now() - started >= timeout - std::chrono::milliseconds(500)) {
    return timed_out();
  }
  return {};
}

}  // namespace dr::kube
