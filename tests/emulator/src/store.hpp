// The emulator's internal API: resource types, per-cluster object stores with kube-apiserver's
// REST semantics, change events, and the Emulator that owns the clusters and the simulation hooks.
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
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <rapidjson/document.h>

namespace emu {

// ---------------------------------------------------------------------------------------------
// Objects
// ---------------------------------------------------------------------------------------------

// A stored object. Never modified after it is published; copy it to change it (see copy_object).
using Object = std::shared_ptr<const rapidjson::Document>;

// A deep copy of an object, for read-modify-write.
rapidjson::Document copy_object(const rapidjson::Value& object);
// Compact JSON text of a value.
std::string to_json(const rapidjson::Value& value);
// Parses JSON text; throws StatusError 400 with the apiserver's decoding wording on bad input.
rapidjson::Document parse_json(std::string_view text);

// Small accessors that tolerate missing members ("" / nullptr when absent or of another type).
std::string str_at(const rapidjson::Value& object, std::initializer_list<const char*> path);
const rapidjson::Value* value_at(const rapidjson::Value& object, std::initializer_list<const char*> path);

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

// One entry of Status.details.causes.
struct StatusCause {
  std::string reason;  // "FieldValueInvalid", "FieldValueRequired", "FieldValueNotSupported", ...
  std::string message;
  std::string field;  // "metadata.name", "spec.replicas"
};

// A kube-apiserver Status failure. Thrown by Store and by the HTTP layer; to_json() is the body.
class StatusError : public std::exception {
 public:
  StatusError(int code, std::string reason, std::string message);

  int code = 500;
  std::string reason;  // "NotFound", "AlreadyExists", "Conflict", "Invalid", "BadRequest", ...
  std::string message;
  // details: omitted from the body when all are empty.
  std::string name;
  std::string group;
  std::string kind;  // resource plural for NotFound/AlreadyExists/Conflict, Kind for Invalid
  std::vector<StatusCause> causes;
  int retry_after_seconds = 0;  // details.retryAfterSeconds (and the Retry-After header) when > 0
  bool has_details = false;     // emit "details":{} even when every detail is empty
  std::string continue_token;   // Status.metadata.continue (410 on an expired continue token)

  const char* what() const noexcept override { return message.c_str(); }
  std::string to_json() const;
};

struct ResourceType;

// Constructors with the apiserver's exact wording. `qualified` is "statefulsets.apps" / "pods".
namespace errors {
StatusError not_found(const ResourceType& type, const std::string& name);       // 404
StatusError already_exists(const ResourceType& type, const std::string& name);  // 409
StatusError conflict(const ResourceType& type,
                     const std::string& name);  // 409 "the object has been modified..."
StatusError conflict_message(const ResourceType& type, const std::string& name,
                             const std::string& why);  // 409
StatusError invalid(const ResourceType& type, const std::string& name,
                    std::vector<StatusCause> causes);            // 422
StatusError bad_request(const std::string& message);             // 400
StatusError forbidden(const std::string& message);               // 403 (full message)
StatusError unauthorized();                                      // 401
StatusError method_not_allowed(const std::string& message);      // 405
StatusError unsupported_media_type(const std::string& message);  // 415
StatusError expired(const std::string& message);                 // 410 reason Expired
StatusError gone(const std::string& message);                    // 410 reason Gone
StatusError too_many_requests(int retry_after_seconds);          // 429
StatusError internal(const std::string& message);                // 500
StatusError service_unavailable(const std::string& message);     // 503
StatusError path_not_found();  // 404 "the server could not find the requested resource", details {}
}  // namespace errors

// ---------------------------------------------------------------------------------------------
// Resource types
// ---------------------------------------------------------------------------------------------

// Where a custom resource keeps the numbers of its scale subresource.
struct ScalePaths {
  std::string spec_replicas = ".spec.replicas";
  std::string status_replicas = ".status.replicas";
  std::string label_selector;  // ".status.selector" or empty
};

// A printer column (CRD additionalPrinterColumns; built-in kinds have theirs in the table code).
struct PrinterColumn {
  std::string name;
  std::string type;  // string, integer, number, boolean, date
  std::string json_path;
  std::string description;
  int priority = 0;
};

struct ResourceType {
  std::string group;  // "" for the core group
  std::string version;
  std::string plural;
  std::string singular;
  std::string kind;
  std::string list_kind;  // defaults to kind + "List"
  bool namespaced = true;
  std::vector<std::string> short_names;
  std::vector<std::string> categories;
  std::vector<std::string> verbs;  // discovery verbs; default: all of create..watch
  bool builtin = true;             // false: a CRD's type (no strategic merge patch)
  bool status_subresource = false;
  bool scale_subresource = false;
  ScalePaths scale_paths;                      // custom resources with a scale subresource
  std::vector<PrinterColumn> printer_columns;  // custom resources
  std::string crd_name;                        // "migrations.stork.libopenstorage.org" when served by a CRD
  // Extra validation (after the common metadata checks): append causes to reject with 422.
  std::function<void(const rapidjson::Value& object, std::vector<StatusCause>& causes)> validate;

  std::string api_version() const { return group.empty() ? version : group + "/" + version; }
  // "statefulsets.apps", "pods": the name used in error messages.
  std::string qualified() const { return group.empty() ? plural : plural + "." + group; }
  // "apps/statefulsets": the key of the type in a Store (version-independent).
  std::string key() const { return group + "/" + plural; }
};
using TypeRef = std::shared_ptr<const ResourceType>;

// The served types of one cluster. Thread-safe; types come and go with CRDs.
class TypeRegistry {
 public:
  void add(ResourceType type);  // replaces a type with the same group/version/plural
  void remove(const std::string& group, const std::string& plural);  // every version
  TypeRef find(const std::string& group, const std::string& version, const std::string& plural) const;
  // The preferred (first registered) version of group/plural.
  TypeRef find(const std::string& group, const std::string& plural) const;
  // By apiVersion ("apps/v1", "v1") and Kind.
  TypeRef find_kind(const std::string& api_version, const std::string& kind) const;
  std::vector<TypeRef> all() const;                                // registration order
  std::uint64_t generation() const { return generation_.load(); }  // changes whenever types change

 private:
  mutable std::mutex mutex_;
  std::vector<TypeRef> types_;
  std::atomic<std::uint64_t> generation_{0};
};

// The built-in types: namespaces, pods, configmaps, persistentvolumeclaims (v1); deployments, statefulsets,
// replicasets (apps/v1); cronjobs (batch/v1); customresourcedefinitions (apiextensions.k8s.io/v1).
std::vector<ResourceType> builtin_types();
// Stork's CRDs (stork.libopenstorage.org/v1alpha1) as CustomResourceDefinition objects.
std::vector<rapidjson::Document> stork_crds();
// The type a CRD object serves, one per served version (throws StatusError 422 when malformed).
std::vector<ResourceType> types_from_crd(const rapidjson::Value& crd);

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

struct WriteOptions {
  bool dry_run = false;       // dryRun=All: validate, answer the result, persist nothing
  std::string subresource;    // "", "status" or "scale"
  std::string field_manager;  // accepted, unused
  bool force = false;         // server-side apply force (accepted, unused)
  // fieldValidation: "Strict" (unknown fields -> 400 BadRequest), "Warn" (the default, also ""),
  // "Ignore"; anything else -> 422. Unknown fields are dropped in every case. See
  // prune_unknown_fields (validation.hpp) for the levels checked.
  std::string field_validation;
  std::vector<std::string>* warnings = nullptr;  // receives the Warn warnings ("unknown field \"spec.foo\"")
};

struct DeleteOptions {
  bool dry_run = false;
  std::optional<std::string> precondition_uid;
  std::optional<std::string> precondition_resource_version;
};

struct ListOptions {
  std::string label_selector;  // "app=zk,tier in (a,b),!legacy"
  std::string field_selector;  // "metadata.name=zk,metadata.namespace!=kube-system"
  std::size_t limit = 0;       // 0: everything
  std::string continue_token;
  std::string resource_version;  // accepted ("", "0", N)
};

struct ListResult {
  std::vector<Object> items;
  std::uint64_t resource_version = 0;     // list metadata.resourceVersion
  std::string continue_token;             // empty on the last page
  std::optional<std::int64_t> remaining;  // remainingItemCount (only without selectors)
};

enum class PatchType {
  Merge,      // application/merge-patch+json (RFC 7386)
  Json,       // application/json-patch+json (RFC 6902)
  Strategic,  // application/strategic-merge-patch+json (built-in types only, else 415)
  Apply,      // application/apply-patch+yaml (server-side apply subset; body is JSON or YAML-as-JSON)
};

// ---------------------------------------------------------------------------------------------
// Change events and watches
// ---------------------------------------------------------------------------------------------

struct WatchEvent {
  enum class Type { Added, Modified, Deleted, Bookmark };
  Type type = Type::Added;
  std::uint64_t resource_version = 0;
  TypeRef resource;  // null for Bookmark
  Object object;     // the object after the change (before deletion for Deleted); null for Bookmark
};
const char* to_string(WatchEvent::Type type);

// Which events a watch or subscription wants.
struct WatchFilter {
  std::string type_key;        // ResourceType::key(); empty: every type
  std::string ns;              // empty: every namespace
  std::string name;            // empty: every name (fieldSelector metadata.name=...)
  std::string label_selector;  // as in ListOptions
  std::string field_selector;
};

// A live watch. Events are queued as they happen; next() waits for them.
class WatchStream {
 public:
  virtual ~WatchStream() = default;
  // Queued events, waiting up to `max_wait` for one. Empty when the wait timed out or the stream
  // was closed (closed() tells which).
  virtual std::vector<WatchEvent> next(std::chrono::milliseconds max_wait) = 0;
  virtual void close() = 0;
  virtual bool closed() const = 0;
};

using SubscriptionId = std::uint64_t;

// ---------------------------------------------------------------------------------------------
// Store: one cluster's objects
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Emulator: the clusters, their controllers, and the registries simulation code plugs into
// ---------------------------------------------------------------------------------------------

class Emulator;
class EmulatedCluster;

// Something that runs inside a cluster while the emulator serves (a workload controller, Stork).
// start() is called after seeding, before the servers accept requests; stop() before shutdown.
class Controller {
 public:
  virtual ~Controller() = default;
  virtual std::string name() const = 0;
  virtual void start() = 0;
  virtual void stop() = 0;
};

// Options the simulation may look at.
struct SimulationConfig {
  bool stork = true;  // false with --no-stork: Stork's CRDs are not installed, no Stork controllers
  std::map<std::string, std::string> settings;  // --sim KEY=VALUE (free-form, for simulation code)
};

// An answer of an admin handler: JSON body and HTTP code.
struct AdminReply {
  int code = 200;
  std::string body = "{}";
};
// A simulation-defined admin endpoint: POST/GET /emulator/sim/<name>; body is the request body.
using AdminHandler = std::function<AdminReply(const std::string& method, const std::string& body)>;

class EmulatedCluster {
 public:
  EmulatedCluster(Emulator& emulator, std::string name);

  const std::string& name() const { return name_; }
  Store& store() { return store_; }
  Emulator& emulator() { return emulator_; }

  // Controllers run while the emulator serves; add them from a SimulationInstaller.
  void add_controller(std::unique_ptr<Controller> controller);
  // Admin endpoints of the simulation (see AdminHandler).
  void add_admin_handler(const std::string& name, AdminHandler handler);
  const std::map<std::string, AdminHandler>& admin_handlers() const { return admin_handlers_; }

  // Cluster down: the listener closes (connection refused) for `duration` (forever when zero),
  // as if the API server were unreachable. up() brings it back. Set by the server layer.
  void down(std::chrono::milliseconds duration = std::chrono::milliseconds{0});
  void up();
  bool is_down() const { return down_.load(); }
  std::function<void(bool down)> on_down_change;  // the server layer's hook

  void start_controllers();
  void stop_controllers();

 private:
  Emulator& emulator_;
  std::string name_;
  Store store_;
  std::vector<std::unique_ptr<Controller>> controllers_;
  std::map<std::string, AdminHandler> admin_handlers_;
  std::atomic<bool> down_{false};
  std::mutex down_mutex_;
  std::condition_variable down_cv_;
  std::uint64_t down_epoch_ = 0;
  std::thread down_timer_;
  bool started_ = false;
};

class Emulator {
 public:
  // Clusters in command-line order. Installs built-in types everywhere, and Stork's CRDs unless
  // config.stork is false.
  Emulator(const std::vector<std::string>& cluster_names, SimulationConfig config);
  ~Emulator();

  const SimulationConfig& config() const { return config_; }
  const std::vector<std::string>& cluster_names() const { return names_; }
  EmulatedCluster& cluster(const std::string& name);  // throws std::out_of_range
  EmulatedCluster* find_cluster(const std::string& name);
  std::vector<EmulatedCluster*> clusters();

  // Runs every registered SimulationInstaller (once), then starts the controllers.
  void install_simulation();
  void start_controllers();
  void stop_controllers();

 private:
  SimulationConfig config_;
  std::vector<std::string> names_;
  std::vector<std::unique_ptr<EmulatedCluster>> clusters_;
  bool installed_ = false;
};

// --- Registries filled by static registrars in simulation/seed sources (sim_*.cpp, seeds.cpp):
//
//   static emu::SimulationRegistrar reg("stork", [](emu::Emulator& e) { ... add_controller ... });
//   static emu::SeedRegistrar seed("zookeeper-failover", "ZooKeeper on two clusters",
//                                  [](emu::Emulator& e, const std::string& arg) { ... });
//
// A seed named "scale" also answers "--seed scale:20:6" (everything after the first ':' is `arg`).
// The emulator_core library is an OBJECT library, so registrars are always linked in.

using SimulationInstaller = std::function<void(Emulator&)>;
using SeedFunction = std::function<void(Emulator&, const std::string& arg)>;

struct SimulationRegistrar {
  SimulationRegistrar(std::string name, SimulationInstaller installer);
};
struct SeedRegistrar {
  SeedRegistrar(std::string name, std::string description, SeedFunction seed);
};

struct SeedInfo {
  std::string name;
  std::string description;
  SeedFunction seed;
};
std::vector<std::pair<std::string, SimulationInstaller>> registered_simulations();
std::vector<SeedInfo> registered_seeds();
// Applies "--seed NAME[:ARG]"; throws std::runtime_error naming the known seeds when unknown.
void apply_seed(Emulator& emulator, const std::string& spec);

// "2026-11-24T06:12:01Z" for now (UTC, seconds).
std::string now_rfc3339();
// A random RFC 4122 v4 UID.
std::string new_uid();

}  // namespace emu
