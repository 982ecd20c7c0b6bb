// The inside of Store, shared by its sources: the object trees, the history, the watchers and the
// write paths (Store::Impl). Not for use outside store*.cpp.
//
// Layout: one ordered tree per type keyed like etcd ("ns/name", or "name" for cluster-scoped
// types), with order statistics so paging and remainingItemCount cost O(page + log N). Every
// write runs under the cluster's exclusive lock, takes the next resourceVersion, lands in a
// bounded history (for watches from a resourceVersion and continue tokens) and is pushed to the
// live watch streams.
#pragma once

#include <ext/pb_ds/assoc_container.hpp>
#include <ext/pb_ds/tree_policy.hpp>

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "store.hpp"
#include "watch_stream.hpp"

namespace emu {

using Tree = __gnu_pbds::tree<std::string, Object, std::less<std::string>, __gnu_pbds::rb_tree_tag,
                              __gnu_pbds::tree_order_statistics_node_update>;

struct Collection {
  Tree objects;
};

inline std::string object_key(const ResourceType& type, const std::string& ns, const std::string& name) {
  return type.namespaced ? ns + "/" + name : name;
}

struct HistoryEntry {
  WatchEvent event;
  Object previous;
};

struct Subscription {
  std::shared_ptr<WatchStreamImpl> stream;
  std::thread thread;
};

struct Store::Impl {
  using Document = rapidjson::Document;
  using Value = rapidjson::Value;

  Store& self;
  mutable std::shared_mutex mutex;
  std::unordered_map<std::string, Collection> collections;  // by ResourceType::key()
  std::uint64_t rv = 1;
  std::uint64_t compacted = 0;  // history before (and at) this revision is gone
  std::deque<HistoryEntry> history;
  std::size_t history_limit = 50'000;
  std::mutex watchers_mutex;
  std::vector<std::weak_ptr<WatchStreamImpl>> watchers;
  std::unordered_map<std::string, int> forced_conflicts;
  std::mutex subscriptions_mutex;
  std::map<SubscriptionId, Subscription> subscriptions;
  SubscriptionId next_subscription = 1;

  explicit Impl(Store& s) : self(s) {}

  Collection& collection(const ResourceType& type) { return collections[type.key()]; }
  const Collection* find_collection(const ResourceType& type) const {
    auto it = collections.find(type.key());
    return it == collections.end() ? nullptr : &it->second;
  }

  Object lookup(const ResourceType& type, const std::string& ns, const std::string& name) const {
    const Collection* c = find_collection(type);
    if (c == nullptr) return nullptr;
    auto it = c->objects.find(object_key(type, ns, name));
    return it == c->objects.end() ? nullptr : it->second;
  }

  TypeRef namespaces_type() const { return self.types().find("", "v1", "namespaces"); }

  // ---- writes (store_impl.cpp) ----

  // Records a change: the store, the history, the watchers. Caller holds the exclusive lock.
  void commit(const TypeRef& type, const std::string& key, Object next, Object previous,
              WatchEvent::Type kind);

  // Consumes one forced conflict of the object; true when there was one.
  bool take_forced_conflict(const ResourceType& type, const std::string& ns, const std::string& name);

  // A write with a resourceVersion precondition meets the simulated other writer: 409.
  void check_forced_conflict(const ResourceType& type, const std::string& ns, const std::string& name,
                             bool has_precondition);

  void check_namespace(const ResourceType& type, const std::string& ns, const std::string& name) const;

  // Fills the system fields of a new object and checks it. Returns the key.
  std::string prepare_create(const ResourceType& type, const std::string& ns, Document& doc,
                             bool keep_status);

  Object do_create(const TypeRef& type, const std::string& ns, Document doc, bool dry_run, bool keep_status);

  static bool is_crd(const ResourceType& type) {
    return type.group == "apiextensions.k8s.io" && type.plural == "customresourcedefinitions";
  }
  static bool is_namespace(const ResourceType& type) {
    return type.group.empty() && type.plural == "namespaces";
  }

  // Writes `next` over `old` (both complete objects). `next` gets the system fields of `old`.
  // Caller holds the exclusive lock. `subresource` "" or "status" selects what of `next` counts.
  Object write_update(const TypeRef& type, const Object& old, Document next, const std::string& subresource,
                      bool dry_run, bool system);

  void immutable_checks(const ResourceType& type, const Value& next, const Value& old,
                        std::vector<StatusCause>& causes);

  static void apply_defaults(const ResourceType& type, Document& doc, bool creating);

  Object do_remove(const TypeRef& type, const std::string& ns, const std::string& name,
                   const DeleteOptions& options);

  // ---- scale (store_scale.cpp) ----

  static std::string selector_text(const Value* selector);

  static Document make_scale(const ResourceType& type, const Value& object);

  // Applies a Scale body to the object. Caller holds the exclusive lock.
  Object write_scale(const TypeRef& type, const Object& old, const Value& scale, bool dry_run,
                     std::string& name);

  // ---- CRDs (store_crd.cpp) ----

  // Fills a CRD's status the way the apiextensions controllers do once it is established.
  static void prepare_crd(Document& crd);

  void serve_crd(const Value& crd);

  // Deletes every object of the types a CRD serves. Caller holds the exclusive lock.
  void unserve_crd(const Value& crd);
};

}  // namespace emu
