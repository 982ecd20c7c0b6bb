// The Kubernetes API client every plugin uses: typed paths, Status errors, paging, patches,
// watches, discovery, and a concurrent mode for bulk writes. Objects are RapidJSON documents.
//
// NOTE to implementers: this is the agreed shape. Add what you need; do not change existing
// signatures without updating every caller.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <rapidjson/document.h>

#include "dr/core/error.hpp"
#include "dr/kube/dry_run.hpp"
#include "dr/kube/resource.hpp"
#include "dr/kube/rest_config.hpp"
#include "dr/kube/transport.hpp"

namespace dr::kube {

enum class PatchType { Merge, Json, Strategic };

struct ListOptions {
  std::string label_selector;
  std::string field_selector;
  std::size_t page_size = 500;  // limit=; 0 = unpaged
};

struct WriteOptions {
  bool dry_run = false;     // ?dryRun=All: asks_server_dry_run(DryRun)
  std::string subresource;  // "status", "scale" or empty
  std::string field_manager = "kubectl-dr";
  // patch_async only: false leaves a 2xx answer's body unparsed (done gets an empty object),
  // for bulk writers that need success, not the written object. Errors are always decoded.
  bool decode_answer = true;
};

// Decodes a non-2xx response into an Error (kind Status -> ErrorCode::Server with reason and the
// server's message; anything else -> a message naming the HTTP status).
Error error_from_response(const HttpResponse& response);

// The Content-Type of a patch: application/merge-patch+json, json-patch+json, strategic-merge-patch+json.
std::string_view patch_content_type(PatchType type);

// RFC 3986 percent-encoding of a query value (unreserved characters pass through).
std::string percent_encode(std::string_view text);

// `path` + "?k=v&k2=v2" with each value percent-encoded; parameters with empty values are left out.
using QueryParams = std::vector<std::pair<std::string_view, std::string_view>>;
std::string with_query(std::string path, const QueryParams& params);

class Discovery;

class ApiClient {
 public:
  // Credentials from make_auth_provider(config).
  ApiClient(const RestConfig& config, TransportOptions options = {});
  // Credentials from the given provider (nullptr: none; tests use fakes).
  ApiClient(RestConfig config, std::shared_ptr<AuthProvider> auth, TransportOptions options);
  ~ApiClient();
  ApiClient(const ApiClient&) = delete;
  ApiClient& operator=(const ApiClient&) = delete;

  const RestConfig& config() const;
  Transport& transport();

  // GET/list/watch are retried on 5xx and dropped connections (retry_safe); create is never repeated
  // after it may have been applied; update (PUT, carries resourceVersion) and merge patches are.
  Result<rapidjson::Document> get(const ResourceType& type, std::string_view ns, std::string_view name);

  // Paged list. on_page gets each page's items array (mutable: callers may move values out) and the
  // list's resourceVersion. Empty ns on a namespaced type lists across all namespaces. The next page
  // is asked for as soon as a page's head (its continue token) is in, so the server builds it while
  // on_page runs: one decoded page is held at a time, and the next page's text as it arrives. A 410
  // Expired answer to a continue token (the server compacted past the snapshot) restarts the list
  // once from the beginning, so on_page may see objects it already saw; callers must tolerate
  // re-delivery. A second 410 is returned as the error.
  using PageHandler = std::function<Result<void>(rapidjson::Value& items, std::string_view resource_version)>;
  Result<void> list(const ResourceType& type, std::string_view ns, const ListOptions& options,
                    const PageHandler& on_page);
  // Asks for a list's first page now, ahead of queued writes, without waiting: the next list() of
  // the same type, namespace and options takes that answer instead of asking again. For a bulk
  // caller walking kinds in turn, so that the server builds the next kind's first page while this
  // kind's pages are handled (one server thread listing, another writing, none idle). An answer
  // nobody claims is dropped with the client.
  void prefetch_list(const ResourceType& type, std::string_view ns, const ListOptions& options);

  Result<rapidjson::Document> create(const ResourceType& type, std::string_view ns,
                                     const rapidjson::Value& object, const WriteOptions& options = {});
  Result<rapidjson::Document> update(const ResourceType& type, std::string_view ns,
                                     const rapidjson::Value& object, const WriteOptions& options = {});
  Result<rapidjson::Document> patch(const ResourceType& type, std::string_view ns, std::string_view name,
                                    PatchType patch_type, std::string body, const WriteOptions& options = {});
  Result<void> remove(const ResourceType& type, std::string_view ns, std::string_view name);

  // Watch from resource_version (empty = now); handler gets (type, object) per event (ADDED,
  // MODIFIED, DELETED; BOOKMARKs are skipped) and returns false to stop. Ends with success when the
  // handler stops or the server closes the stream early (watch again from the last resourceVersion);
  // with ErrorCode::Timeout when `timeout` (sent as timeoutSeconds; 0 = none) expires; with the
  // embedded Status as a Server error on an ERROR event (410 Expired: resourceVersion too old).
  using WatchHandler = std::function<bool(std::string_view event_type, rapidjson::Value& object)>;
  Result<void> watch(const ResourceType& type, std::string_view ns, const ListOptions& options,
                     std::string_view resource_version, std::chrono::milliseconds timeout,
                     const WatchHandler& handler);

  // Concurrent patches: queued, run by run_pending() with the transport's in-flight bound.
  // `done` runs on the thread inside run_pending() and may queue more work.
  using PatchDone = std::function<void(Result<rapidjson::Document>)>;
  void patch_async(const ResourceType& type, std::string_view ns, std::string_view name, PatchType patch_type,
                   std::string body, const WriteOptions& options, PatchDone done, bool retry_safe = true);
  using Done = PatchDone;
  // Any method on a collection (empty name) or one object; the path is built and its namespace and
  // name checked as for every other request (no caller builds a raw path). content_type may be empty
  // (no body). A 2xx answer is decoded as JSON (an empty body gives an empty object); anything else
  // becomes error_from_response().
  void submit(std::string method, const ResourceType& type, std::string_view ns, std::string_view name,
              std::string body, std::string_view content_type, bool retry_safe, Done done);
  // Drives everything queued by patch_async() and submit() until all completions have run.
  void run_pending();
  // Drives that work until at most `outstanding` requests remain; the rest continues at the next
  // run_pending() or blocking call (a list's next page, say, which then overlaps with them).
  void run_pending_until_at_most(std::size_t outstanding);
  // One step of the pending requests without waiting (Transport::pump): for a caller planning a
  // long page, so the writes it has queued so far go out meanwhile.
  void pump_pending();

  Discovery& discovery();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// "Is this resource served?" answered from /api and /apis/<group>/<version>, cached per run.
class Discovery {
 public:
  explicit Discovery(ApiClient& client);
  // True when the server lists `type` in its group/version. A group that does not exist is false,
  // not an error; failing to ask is an error.
  Result<bool> serves(const ResourceType& type);
  // Error for a type the commands need: `the server doesn't have a resource type "X"` plus a hint
  // (for Stork types: " — is Stork installed on this cluster?").
  Result<void> require(const ResourceType& type);
  // A 404 from a list, get or patch means either "no such object" or "no such resource type".
  // Commands skip the up-front require() on their happy path (a request saved per command) and
  // call this on failure: it asks discovery only for a 404 and returns require()'s error when the
  // type is not served; otherwise, or when discovery cannot answer, `error` unchanged.
  Error explain_not_found(const ResourceType& type, Error error);
  // Finds the resource for a kind in a group/version (ApplicationRegistration gives kinds).
  Result<std::optional<ResourceType>> find_kind(std::string_view group, std::string_view version,
                                                std::string_view kind);

  struct Cache;  // per-run answers, one per group/version

 private:
  ApiClient& client_;
  std::shared_ptr<Cache> cache_;
};

}  // namespace dr::kube
