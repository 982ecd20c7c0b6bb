// Helpers shared by the simulated controllers and the seeds: JSON access in the style the
// controllers are written in, and object operations on a cluster's Store (every write goes
// through Store, so it is validated exactly like an API request, and never counts as one).
#pragma once

#include <cstdint>
#include <ctime>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "emulator.hpp"

namespace emu::sim {

using Doc = rapidjson::Document;
using Val = rapidjson::Value;
using Alloc = rapidjson::Document::AllocatorType;
using Cluster = EmulatedCluster;

inline constexpr const char* kStorkGroup = "stork.libopenstorage.org";

// Annotations and labels Stork reads and writes.
inline constexpr const char* kAnnReplicas = "stork.libopenstorage.org/migrationReplicas";
inline constexpr const char* kAnnReplicasDocs = "stork.openstorage.org/migrationReplicas";
inline constexpr const char* kAnnMigrated = "stork.libopenstorage.org/migrated";
inline constexpr const char* kAnnMigrationName = "stork.libopenstorage.org/migrationName";
inline constexpr const char* kAnnMigrationNamespace = "stork.libopenstorage.org/migrationNamespace";
inline constexpr const char* kAnnMigrationTime = "stork.libopenstorage.org/migrationTime";
inline constexpr const char* kAnnResourceHash = "stork.libopenstorage.org/resource-hash";
inline constexpr const char* kAnnStaticCopy = "stork.libopenstorage.org/static-copy";
inline constexpr const char* kAnnScheduleName = "stork.libopenstorage.org/migration-schedule-name";

// ---- JSON ----
bool try_parse_json(std::string_view text, Doc& out);
Doc parse(std::string_view text);  // an empty object when it does not parse
std::string quote(std::string_view s);
const Val* find(const Val& v, std::string_view key);
Val* find(Val& v, std::string_view key);
const Val* find_path(const Val& v, std::initializer_list<std::string_view> path);
std::string get_string(const Val& v, std::initializer_list<std::string_view> path, std::string def = "");
int64_t get_int(const Val& v, std::initializer_list<std::string_view> path, int64_t def = 0);
bool get_bool(const Val& v, std::initializer_list<std::string_view> path, bool def = false);
// An object's owner, as metadata.ownerReferences names it.
struct OwnerRef {
  std::string api_version, kind, name, uid;
};
// Adds metadata.ownerReferences with `owner` alone; a `controller` reference also carries
// controller and blockOwnerDeletion, as the workload controllers set them.
void add_owner_reference(Val& metadata, const OwnerRef& owner, bool controller, Alloc& a);
// The object's metadata, with its name and namespace set (members added in that order).
Val& add_metadata(Doc& d, const std::string& name, const std::string& ns);
// A copy of the object at `path` in `v`; {} when there is none or it is not an object.
Val object_copy_at(const Val& v, std::initializer_list<std::string_view> path, Alloc& a);
Val& object_member(Val& obj, std::string_view key, Alloc& a);  // creates {} when missing or not an object
void set_member(Val& obj, std::string_view key, Val value, Alloc& a);
void set_string(Val& obj, std::string_view key, std::string_view s, Alloc& a);
void set_int(Val& obj, std::string_view key, int64_t n, Alloc& a);
void set_bool(Val& obj, std::string_view key, bool b, Alloc& a);
bool remove_member(Val& obj, std::string_view key);
Val str(std::string_view s, Alloc& a);

std::string annotation(const Val& obj, std::string_view key);
std::string label(const Val& obj, std::string_view key);
void set_annotation(Doc& d, std::string_view key, std::string_view value);
void set_label(Doc& d, std::string_view key, std::string_view value);
std::string name_of(const Val& obj);
std::string namespace_of(const Val& obj);

// ---- time and names ----
std::string rfc3339(std::time_t t);
std::time_t parse_rfc3339(const std::string& s);  // 0 when it does not parse
std::string name_time_suffix(std::time_t t);      // Stork's "2006-01-02-150405" (UTC)
std::string random_suffix(size_t n);              // the generateName alphabet
std::string random_hex(size_t n);
uint64_t fnv1a(std::string_view s, uint64_t seed = 1469598103934665603ULL);
std::string safe_encode(uint64_t h, size_t n);  // n characters of the generateName alphabet

// ---- objects ----
// The served type (nullptr when the cluster does not serve it).
TypeRef resource(Cluster& c, const std::string& group, const std::string& plural);
TypeRef stork_resource(Cluster& c, const std::string& plural);
// Store::create into the object's metadata.namespace; nullptr (and *err) when refused.
Object create_object(Cluster& c, const ResourceType& r, Doc& obj, std::string* err = nullptr);
// Seeds: creates the object with its status in one write (Store::upsert of an absent object),
// where create_object writes a status after the create as a controller would; nullptr (and *err)
// when refused or when it exists. Takes `obj` (no copy).
Object create_seeded(Cluster& c, const ResourceType& r, Doc&& obj, std::string* err = nullptr);
// Store::mutate; `fn` returns false to leave the object alone. True when something was written
// (an unchanged result writes nothing). False when absent or refused (*err).
bool modify_object(Cluster& c, const ResourceType& r, const std::string& ns, const std::string& name,
                   const std::function<bool(Doc&)>& fn, std::string* err = nullptr);
bool delete_object(Cluster& c, const ResourceType& r, const std::string& ns, const std::string& name);
Object get_object(Cluster& c, const ResourceType& r, const std::string& ns, const std::string& name);
std::vector<Object> list_docs(Cluster& c, const ResourceType& r, const std::string& ns = "");
bool is_type(const TypeRef& t, const char* group, const char* plural);

}  // namespace emu::sim
