// The Kubernetes API client every plugin uses: typed paths, Status errors, paging, patches,
// watches, discovery, and a concurrent mode for bulk writes. Objects are RapidJSON documents.
//
// NOTE to implementers: this is the agreed shape. Add what you need; do not change existing
// signatures without updating every caller.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "dr/error.hpp"
#include "dr/kube/resource.hpp"
#include "dr/kube/rest_config.hpp"
#include "dr/kube/transport.hpp"

namespace dr::kube {

enum class PatchType { Merge, Json, Strategic };

struct ListOptions {
  std::string label_selector;
  std::string field_selector;
  std::size_t page_size = 500;       // limit=; 0 = unpaged
};

struct WriteOptions {
  bool dry_run = false;              // ?dryRun=All
  std::string subresource;           // "status", "scale" or empty
  std::string field_manager = "kubectl-dr";
};

// Decodes a non-2xx response into an Error (kind Status -> ErrorCode::Server with reason and the
// server's message; anything else -> a message naming the HTTP status).
Error error_from_response(const HttpResponse& response);

class Discovery;

class ApiClient {
 public:
  ApiClient(RestConfig config, TransportOptions options = {});
  ~ApiClient();

  const RestConfig& config() const;
  Transport& transport();

  Result<rapidjson::Document> get(const ResourceType& type, std::string_view ns, std::string_view name);

  // Paged list. on_page gets each page's items array (mutable: callers may move values out) and the
  // list's resourceVersion. Empty ns on a namespaced type lists across all namespaces. A 410 Expired
  // continue token restarts the list once from the beginning... callers must tolerate re-delivery.
  using PageHandler = std::function<Status(rapidjson::Value& items, std::string_view resource_version)>;
  Status list(const ResourceType& type, std::string_view ns, const ListOptions& options,
              const PageHandler& on_page);

  Result<rapidjson::Document> create(const ResourceType& type, std::string_view ns,
                                     const rapidjson::Value& object, const WriteOptions& options = {});
  Result<rapidjson::Document> update(const ResourceType& type, std::string_view ns,
                                     const rapidjson::Value& object, const WriteOptions& options = {});
  Result<rapidjson::Document> patch(const ResourceType& type, std::string_view ns, std::string_view name,
                                    PatchType patch_type, std::string body, const WriteOptions& options = {});
  Status remove(const ResourceType& type, std::string_view ns, std::string_view name);

  // Watch from resource_version (empty = now); handler gets (type, object) per event and returns
  // false to stop. Ends when the handler stops, the server closes, or timeout expires (Timeout error).
  using WatchHandler = std::function<bool(std::string_view event_type, rapidjson::Value& object)>;
  Status watch(const ResourceType& type, std::string_view ns, const ListOptions& options,
               std::string_view resource_version, std::chrono::milliseconds timeout,
               const WatchHandler& handler);

  // Concurrent patches: queued, run by run_pending() with the transport's in-flight bound.
  using PatchDone = std::function<void(Result<rapidjson::Document>)>;
  void patch_async(const ResourceType& type, std::string_view ns, std::string_view name,
                   PatchType patch_type, std::string body, const WriteOptions& options, PatchDone done,
                   bool retry_safe = true);
  void run_pending();

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
  Status require(const ResourceType& type);
  // Finds the resource for a kind in a group/version (ApplicationRegistration gives kinds).
  Result<std::optional<ResourceType>> find_kind(std::string_view group, std::string_view version,
                                                std::string_view kind);

  struct Cache;  // per-run answers, one per group/version

 private:
  ApiClient& client_;
  std::shared_ptr<Cache> cache_;
};

}  // namespace dr::kube
