// Store: one cluster's objects with kube-apiserver's REST semantics (store.cpp, store_write.cpp,
// store_watch.cpp). Objects, errors, types, requests and events have headers of their own
// (json.hpp, errors.hpp, types.hpp, requests.hpp, watch.hpp); the Emulator is emulator.hpp.
//
// Everything the HTTP layer does to objects goes through Store, so code that runs inside the
// emulator (controllers, seeds, tests) gets exactly the validation, resourceVersion handling and
// Status errors a client gets over HTTP. Errors are thrown as StatusError, which carries the
// Status object kube-apiserver would answer.
//
// Threading: every Store method is thread-safe. Objects are immutable snapshots
// (std::shared_ptr<const rapidjson::Document>); a caller may keep one as long as it likes. Writes
// are serialized per cluster and each one takes the next value of the cluster's resourceVersion
// counter (one counter per cluster, shared by every type, like etcd's revision).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "errors.hpp"
#include "json.hpp"
#include "requests.hpp"
#include "types.hpp"
#include "watch.hpp"

namespace emu {

class Store {
 public:
  explicit Store(std::string cluster_name);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const std::string& cluster_name() const { return cluster_name_; }
  TypeRegistry& types() { return types_; }
  const TypeRegistry& types() const { return types_; }
  // Shorthand: types().find(group, plural); throws StatusError 404 (path not found) when absent.
  TypeRef type(const std::string& group, const std::string& plural) const;

  // --- The verbs, with the API's semantics. `ns` is ignored for cluster-scoped types; for
  // --- namespaced types an empty `ns` means "all namespaces" in list/watch only.

  // 404 NotFound when absent. Subresource "status" returns the object, "scale" a Scale.
  Object get(const ResourceType& type, const std::string& ns, const std::string& name,
             const std::string& subresource = {}) const;
  // nullptr when absent (no error).
  Object find(const ResourceType& type, const std::string& ns, const std::string& name) const;
  ListResult list(const ResourceType& type, const std::string& ns, const ListOptions& options = {}) const;
  // Every object of a type (optionally one namespace), in key order. Controllers' convenience.
  std::vector<Object> items(const ResourceType& type, const std::string& ns = {}) const;
  std::size_t count(const ResourceType& type) const;

  // POST. Fills metadata (namespace from the path, name from generateName, uid, resourceVersion,
  // creationTimestamp, generation) and drops status for types with a status subresource. Errors:
  // 400 namespace/name mismatch or bad apiVersion/kind, 404 missing namespace, 409 AlreadyExists,
  // 422 Invalid, 403 when the namespace is terminating.
  Object create(const ResourceType& type, const std::string& ns, rapidjson::Document object,
                const WriteOptions& options = {});
  // PUT (subresource "" / "status" / "scale"). metadata.resourceVersion, when set, must match
  // (409 Conflict); empty means unconditional. The main resource keeps the stored status, /status
  // keeps the stored spec and metadata except labels/annotations (types with a status subresource).
  Object update(const ResourceType& type, const std::string& ns, const std::string& name,
                rapidjson::Document object, const WriteOptions& options = {});
  // PATCH. A metadata.resourceVersion in the patched result acts as a precondition.
  Object patch(const ResourceType& type, const std::string& ns, const std::string& name, PatchType patch_type,
               std::string_view body, const WriteOptions& options = {});
  // DELETE. Returns the object as it was (deleting a namespace deletes everything in it; deleting
  // a CRD stops serving its type and deletes its objects).
  Object remove(const ResourceType& type, const std::string& ns, const std::string& name,
                const DeleteOptions& options = {});
  // DELETE on the collection (deletecollection): every match of the selectors.
  std::vector<Object> remove_collection(const ResourceType& type, const std::string& ns,
                                        const ListOptions& options, const DeleteOptions& delete_options = {});

  // --- In-process writes for controllers and seeds.

  // Atomic read-modify-write of one object. `change` gets a deep copy (spec, status and metadata
  // all writable: controllers write status directly) and returns false to leave the object alone.
  // Runs under the cluster's write lock: `change` must not call back into this Store. The result is
  // validated like an update; uid/name/namespace/creationTimestamp are kept, resourceVersion and
  // generation (when spec changed) advance. Returns the stored object. 404 when absent.
  Object mutate(const ResourceType& type, const std::string& ns, const std::string& name,
                const std::function<bool(rapidjson::Document&)>& change);
  // Creates, or replaces (spec, status, labels, annotations) an existing object unconditionally.
  // For seeds and the migration controller. The object's metadata.namespace is used.
  Object upsert(const ResourceType& type, rapidjson::Document object);

  // --- Events.

  // A watch from `resource_version` ("" / "0": synthetic ADDED for every current match first,
  // then live events; N: every event after N). Throws StatusError 410 Expired when N is older
  // than the retained history. With `bookmarks`, a BOOKMARK is queued whenever nothing happened
  // for a while (see HTTP layer) — next() never invents them.
  std::shared_ptr<WatchStream> watch(const WatchFilter& filter, const std::string& resource_version);
  // Calls `fn` for every matching event after now, in resourceVersion order, on a dedicated
  // thread, outside the Store's locks (so `fn` may use the Store). For controllers.
  SubscriptionId subscribe(const WatchFilter& filter, std::function<void(const WatchEvent&)> fn);
  // Stops a subscription and waits for its thread (must not be called from inside its own `fn`).
  void unsubscribe(SubscriptionId id);

  // --- History, faults, persistence.

  std::uint64_t resource_version() const;  // the newest resourceVersion
  // Forgets all history: continue tokens and watch resourceVersions from before now answer 410.
  void compact();
  std::uint64_t compacted_revision() const;
  // Another writer, simulated: the next `count` updates/patches of this object (through
  // update/patch, not mutate) that carry a resourceVersion precondition fail with 409 Conflict, as
  // if the object had changed since the client read it. A precondition is metadata.resourceVersion
  // in a PUT body (the object or its Scale), in a merge/strategic/apply patch, or set by a JSON
  // patch op (add/replace of /metadata/resourceVersion or of /metadata with one); a JSON patch that
  // only `test`s /metadata/resourceVersion fails that test (422), as the apiserver's internal retry
  // would. A write without a precondition does not conflict (the apiserver applies it to the
  // current object, retrying internally) and leaves the count alone.
  void force_conflicts(const ResourceType& type, const std::string& ns, const std::string& name, int count);

  // Every object as JSON ({"resourceVersion":N,"objects":[...]}), and back (types must exist;
  // CRD objects are loaded first so their types are served).
  std::string save() const;
  void load(std::string_view snapshot);

  // How many change events are kept for watches and continue tokens (older ones are compacted).
  void set_history_limit(std::size_t events);

  // Writes observed since start (for stats).
  std::uint64_t writes() const { return writes_.load(); }

  struct Impl;

 private:
  std::string cluster_name_;
  TypeRegistry types_;
  std::unique_ptr<Impl> impl_;
  std::atomic<std::uint64_t> writes_{0};
};

}  // namespace emu
