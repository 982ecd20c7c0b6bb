// One emulated cluster's API state: the served resource types and the objects, with
// kube-apiserver's semantics for every verb (validation, resourceVersion preconditions, status and
// scale subresources, dry runs, paging, watches) and its Status errors.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <rapidjson/document.h>

namespace emu {

struct ResourceType {
  std::string group;  // "" = core
  std::string version;
  std::string plural;
  std::string singular;
  std::string kind;
  bool namespaced = true;
  std::vector<std::string> short_names;
  std::vector<std::string> categories;
  bool builtin = true;         // strategic merge patch allowed
  bool status_subresource = false;
  bool scale_subresource = false;

  std::string api_version() const { return group.empty() ? version : group + "/" + version; }
  std::string group_resource() const { return group.empty() ? plural : plural + "." + group; }
  std::string key() const { return group + "/" + plural; }
};

// An HTTP answer: status code and JSON body (a Status object for errors).
struct Reply {
  int code = 200;
  std::string body;
  bool ok() const { return code >= 200 && code < 300; }
};

// kube-apiserver's Status body.
Reply status_error(int code, const std::string& reason, const std::string& message, const std::string& name = {},
                   const std::string& group = {}, const std::string& kind = {},
                   const std::vector<std::pair<std::string, std::string>>& causes = {});
Reply not_found(const ResourceType& type, const std::string& name);

struct Event {
  std::uint64_t rv = 0;
  std::string type;  // ADDED, MODIFIED, DELETED
  std::string type_key;
  std::string namespace_name;
  std::shared_ptr<const rapidjson::Document> object;
};

struct ListOptions {
  std::string label_selector;
  std::string field_selector;
  std::size_t limit = 0;
  std::string continue_token;
};

enum class PatchKind { Merge, Json, Strategic };

class Cluster {
 public:
  explicit Cluster(std::string name);

  const std::string& name() const { return name_; }

  void register_type(ResourceType type);
  std::optional<ResourceType> find_type(const std::string& group, const std::string& version,
                                        const std::string& plural) const;
  std::vector<ResourceType> types() const;

  // The verbs. `ns` is empty for cluster-scoped types and for cluster-wide lists.
  Reply get(const ResourceType& type, const std::string& ns, const std::string& name, const std::string& sub = {});
  Reply list(const ResourceType& type, const std::string& ns, const ListOptions& options);
  Reply create(const ResourceType& type, const std::string& ns, const std::string& body, bool dry_run);
  Reply update(const ResourceType& type, const std::string& ns, const std::string& name, const std::string& sub,
               const std::string& body, bool dry_run);
  Reply patch(const ResourceType& type, const std::string& ns, const std::string& name, const std::string& sub,
              PatchKind kind, const std::string& body, bool dry_run);
  Reply remove(const ResourceType& type, const std::string& ns, const std::string& name, bool dry_run);

  // In-process writes for controllers and seeds: same rules as the API, no HTTP.
  Reply create_object(const ResourceType& type, rapidjson::Document object);
  // Read-modify-write of one object under the lock; `change` returns false to leave it alone.
  Reply mutate(const ResourceType& type, const std::string& ns, const std::string& name,
               const std::function<bool(rapidjson::Document&)>& change);
  // Copies of every object of a type (optionally one namespace).
  std::vector<std::shared_ptr<const rapidjson::Document>> snapshot(const ResourceType& type, const std::string& ns = {});
  std::shared_ptr<const rapidjson::Document> find(const ResourceType& type, const std::string& ns,
                                                 const std::string& name);

  // Watch: events after `rv` for a type; blocks up to `wait` for new ones. Returns false when `rv`
  // is older than the retained history (410 Gone).
  bool events_since(const std::string& type_key, std::uint64_t rv, std::vector<Event>& out,
                    std::chrono::milliseconds wait);
  std::uint64_t current_rv() const;
  // Forget history up to now: older continue tokens and watch versions answer 410.
  void compact();

  // Keys ("group/plural ns/name") written since the last call, for controllers.
  std::vector<std::string> take_dirty(const std::string& type_key);

  // Forced conflicts: the next `count` updates of this object answer 409.
  void force_conflicts(const std::string& type_key, const std::string& ns, const std::string& name, int count);

  // Persistence: every object as one JSON document, and back.
  std::string save() const;
  void load(const std::string& json);

 private:
  struct Stored {
    std::shared_ptr<const rapidjson::Document> object;
  };
  struct Collection {
    ResourceType type;
    std::map<std::string, Stored> objects;  // "ns/name" -> object, ordered for paging
  };

  Reply write_locked(Collection& collection, const std::string& ns, const std::string& name, rapidjson::Document next,
                     const Stored* previous, bool dry_run, const std::string& sub);
  Reply validate(const ResourceType& type, const rapidjson::Document& object) const;
  void record(const std::string& event_type, const Collection& collection, const std::string& ns,
              std::shared_ptr<const rapidjson::Document> object, std::uint64_t rv);
  Collection* collection_for(const ResourceType& type);
  bool namespace_exists_locked(const std::string& ns) const;
  void delete_namespace_contents_locked(const std::string& ns);

  std::string name_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, Collection> collections_;  // by type key
  std::uint64_t rv_ = 1;
  std::uint64_t compacted_rv_ = 0;
  std::deque<Event> history_;
  std::map<std::string, std::set<std::string>> dirty_;
  std::map<std::string, int> forced_conflicts_;
};

// "2026-11-24T06:12:01Z" for now.
std::string now_rfc3339();
std::string new_uid();
std::string to_string(const rapidjson::Value& value);

}  // namespace emu
