// Store's write paths under the cluster's lock: create, update, delete, and the commit of every
// change to the trees, the history and the watchers. See store_internal.hpp.
#include <cstring>
#include <random>

#include "defaults.hpp"
#include "store_internal.hpp"
#include "validation.hpp"

namespace emu {

using rapidjson::Document;
using rapidjson::Value;

namespace {

bool tracks_generation(const ResourceType& type) {
  if (!type.builtin) return true;
  return type.group == "apps" || type.group == "batch" || type.group == "apiextensions.k8s.io";
}

// Whether the part of the object that bumps metadata.generation changed.
bool spec_changed(const ResourceType& type, const Value& next, const Value& old) {
  if (!type.builtin && !type.status_subresource) {
    // Custom resources without a status subresource: everything but metadata counts.
    for (const auto& m : next.GetObject()) {
      std::string k(m.name.GetString(), m.name.GetStringLength());
      if (k == "metadata") continue;
      auto o = old.FindMember(m.name);
      if (o == old.MemberEnd() || o->value != m.value) return true;
    }
    for (const auto& m : old.GetObject()) {
      if (std::strcmp(m.name.GetString(), "metadata") != 0 && !next.HasMember(m.name)) return true;
    }
    return false;
  }
  const Value* a = value_at(next, {"spec"});
  const Value* b = value_at(old, {"spec"});
  if (a == nullptr || b == nullptr) return (a == nullptr) != (b == nullptr);
  return *a != *b;
}

std::int64_t generation_of(const Value& object) {
  const Value* g = value_at(object, {"metadata", "generation"});
  return g != nullptr && g->IsInt64() ? g->GetInt64() : 0;
}

// Equal apart from metadata.resourceVersion (a no-op write).
bool same_content(const Value& next, const Value& old) {
  if (next.MemberCount() != old.MemberCount()) return false;
  for (const auto& m : next.GetObject()) {
    auto o = old.FindMember(m.name);
    if (o == old.MemberEnd()) return false;
    if (std::strcmp(m.name.GetString(), "metadata") == 0 && m.value.IsObject() && o->value.IsObject()) {
      if (m.value.MemberCount() != o->value.MemberCount()) return false;
      for (const auto& mm : m.value.GetObject()) {
        if (std::strcmp(mm.name.GetString(), "resourceVersion") == 0) continue;
        auto oo = o->value.FindMember(mm.name);
        if (oo == o->value.MemberEnd() || oo->value != mm.value) return false;
      }
    } else if (m.value != o->value) {
      return false;
    }
  }
  return true;
}

std::string random_suffix() {
  static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  thread_local std::mt19937 random{std::random_device{}()};
  std::string s;
  for (int i = 0; i < 5; ++i) s += alphabet[random() % (sizeof alphabet - 1)];
  return s;
}

}  // namespace

void Store::Impl::commit(const TypeRef& type, const std::string& key, Object next, Object previous,
                         WatchEvent::Type kind) {
  Collection& c = collection(*type);
  if (kind == WatchEvent::Type::Deleted) {
    c.objects.erase(key);
  } else {
    auto it = c.objects.find(key);
    if (it != c.objects.end()) {
      it->second = next;
    } else {
      c.objects.insert({key, next});
    }
  }
  WatchEvent event;
  event.type = kind;
  event.resource_version = rv;
  event.resource = type;
  event.object = kind == WatchEvent::Type::Deleted ? previous : next;
  if (kind == WatchEvent::Type::Deleted) {
    // A deleted object's last state carries the deletion's resourceVersion.
    auto copy = std::make_shared<Document>(copy_object(*previous));
    set_string((*copy)["metadata"], "resourceVersion", std::to_string(rv), copy->GetAllocator());
    event.object = copy;
  }
  history.push_back({event, kind == WatchEvent::Type::Added ? nullptr : previous});
  while (history.size() > history_limit) {
    compacted = history.front().event.resource_version;
    history.pop_front();
  }
  self.writes_++;
  std::lock_guard lock(watchers_mutex);
  for (auto it = watchers.begin(); it != watchers.end();) {
    auto w = it->lock();
    if (!w || w->is_closed()) {
      it = watchers.erase(it);
      continue;
    }
    if (w->wants_type(type->key())) w->offer(event, previous);
    ++it;
  }
}

bool Store::Impl::take_forced_conflict(const ResourceType& type, const std::string& ns,
                                       const std::string& name) {
  if (forced_conflicts.empty()) return false;
  auto it = forced_conflicts.find(type.key() + "/" + ns + "/" + name);
  if (it == forced_conflicts.end()) return false;
  if (--it->second <= 0) forced_conflicts.erase(it);
  return true;
}

void Store::Impl::check_forced_conflict(const ResourceType& type, const std::string& ns,
                                        const std::string& name, bool has_precondition) {
  if (has_precondition && take_forced_conflict(type, ns, name)) throw errors::conflict(type, name);
}

void Store::Impl::check_namespace(const ResourceType& type, const std::string& ns,
                                  const std::string& name) const {
  if (!type.namespaced) return;
  TypeRef nst = namespaces_type();
  if (!nst) return;
  Object n = lookup(*nst, "", ns);
  if (!n) throw errors::not_found(*nst, ns);
  if (value_at(*n, {"metadata", "deletionTimestamp"}) != nullptr) {
    StatusError e = errors::forbidden("unable to create new content in namespace " + ns +
                                      " because it is being terminated");
    e.name = name;
    e.group = type.group;
    e.kind = type.plural;
    throw e;
  }
}

std::string Store::Impl::prepare_create(const ResourceType& type, const std::string& ns, Document& doc,
                                        bool keep_status) {
  check_decodable(type, doc);
  auto& a = doc.GetAllocator();
  std::string api_version = str_at(doc, {"apiVersion"});
  std::string kind = str_at(doc, {"kind"});
  if (!api_version.empty() && api_version != type.api_version()) {
    throw errors::bad_request("the API version in the data (" + api_version +
                              ") does not match the expected API version (" + type.api_version() + ")");
  }
  if (!kind.empty() && kind != type.kind) {
    throw errors::bad_request("the kind in the data (" + kind + ") does not match the expected kind (" +
                              type.kind + ")");
  }
  set_string(doc, "apiVersion", type.api_version(), a);
  set_string(doc, "kind", type.kind, a);
  Value& meta = ensure_object(doc, "metadata", a);
  std::string body_ns = str_at(meta, {"namespace"});
  if (type.namespaced) {
    if (!body_ns.empty() && !ns.empty() && body_ns != ns) {
      throw errors::bad_request(
          "the namespace of the provided object does not match the namespace sent on the request");
    }
    if (body_ns.empty()) set_string(meta, "namespace", ns, a);
  } else {
    remove_member(meta, "namespace");
  }
  std::string name = str_at(meta, {"name"});
  if (name.empty()) {
    std::string prefix = str_at(meta, {"generateName"});
    if (!prefix.empty()) {
      name = prefix + random_suffix();
      set_string(meta, "name", name, a);
    }
  }
  set_string(meta, "uid", new_uid(), a);
  set_string(meta, "creationTimestamp", now_rfc3339(), a);
  remove_member(meta, "resourceVersion");
  remove_member(meta, "deletionTimestamp");
  remove_member(meta, "deletionGracePeriodSeconds");
  remove_member(meta, "selfLink");
  remove_member(meta, "managedFields");
  if (tracks_generation(type)) {
    set_value(meta, "generation", Value(1), a);
  } else {
    remove_member(meta, "generation");
  }
  if (type.status_subresource && !keep_status) {
    if (type.builtin) {
      set_value(doc, "status", Value(rapidjson::kObjectType), a);
    } else {
      remove_member(doc, "status");
    }
  }
  apply_defaults(type, doc, /*creating=*/true);
  auto causes = validate_object(type, doc, nullptr);
  if (!causes.empty()) throw errors::invalid(type, name, std::move(causes));
  return object_key(type, type.namespaced ? str_at(doc, {"metadata", "namespace"}) : "", name);
}

Object Store::Impl::do_create(const TypeRef& type, const std::string& ns, Document doc, bool dry_run,
                              bool keep_status) {
  std::string key = prepare_create(*type, ns, doc, keep_status);
  std::string name = str_at(doc, {"metadata", "name"});
  std::string obj_ns = type->namespaced ? str_at(doc, {"metadata", "namespace"}) : "";
  std::unique_lock lock(mutex);
  check_namespace(*type, obj_ns, name);
  if (lookup(*type, obj_ns, name)) throw errors::already_exists(*type, name);
  if (is_crd(*type)) prepare_crd(doc);
  if (dry_run) return std::make_shared<const Document>(std::move(doc));
  ++rv;
  set_string(doc["metadata"], "resourceVersion", std::to_string(rv), doc.GetAllocator());
  auto obj = std::make_shared<const Document>(std::move(doc));
  commit(type, key, obj, nullptr, WatchEvent::Type::Added);
  if (is_crd(*type)) serve_crd(*obj);
  return obj;
}

Object Store::Impl::write_update(const TypeRef& type, const Object& old, Document next,
                                 const std::string& subresource, bool dry_run, bool system) {
  const Value& old_meta = (*old)["metadata"];
  if (subresource == "status") {
    // Only status changes; everything else is the stored object's.
    Document merged = copy_object(*old);
    carry_member(merged, next, "status", merged.GetAllocator());
    next.Swap(merged);
  } else if (type->status_subresource && !system) {
    carry_member(next, *old, "status", next.GetAllocator());
  }
  auto& a = next.GetAllocator();
  Value& meta = ensure_object(next, "metadata", a);
  for (const char* key :
       {"uid", "creationTimestamp", "namespace", "name", "deletionTimestamp", "deletionGracePeriodSeconds"}) {
    carry_member(meta, old_meta, key, a);
  }
  set_string(next, "apiVersion", type->api_version(), a);
  set_string(next, "kind", type->kind, a);
  remove_member(meta, "selfLink");
  remove_member(meta, "managedFields");
  apply_defaults(*type, next, /*creating=*/false);
  if (tracks_generation(*type)) {
    std::int64_t generation = generation_of(*old);
    if (generation <= 0) generation = 1;
    if (spec_changed(*type, next, *old)) ++generation;
    set_value(meta, "generation", Value(static_cast<std::int64_t>(generation)), a);
  } else {
    remove_member(meta, "generation");
  }
  std::string name = str_at(next, {"metadata", "name"});
  auto causes = validate_object(*type, next, old.get());
  immutable_checks(*type, next, *old, causes);
  if (!causes.empty()) throw errors::invalid(*type, name, std::move(causes));
  set_string(meta, "resourceVersion", str_at(old_meta, {"resourceVersion"}), a);
  if (same_content(next, *old)) return old;  // nothing changed: no write, no event
  if (is_crd(*type)) prepare_crd(next);
  if (dry_run) return std::make_shared<const Document>(std::move(next));
  ++rv;
  set_string(next["metadata"], "resourceVersion", std::to_string(rv), next.GetAllocator());
  std::string ns = type->namespaced ? str_at(next, {"metadata", "namespace"}) : "";
  std::string key = object_key(*type, ns, name);
  // An object being deleted goes away once its last finalizer is removed.
  const Value* finalizers = value_at(next, {"metadata", "finalizers"});
  bool finalized = value_at(next, {"metadata", "deletionTimestamp"}) != nullptr &&
                   (finalizers == nullptr || !finalizers->IsArray() || finalizers->Empty());
  auto obj = std::make_shared<const Document>(std::move(next));
  if (finalized) {
    commit(type, key, nullptr, obj, WatchEvent::Type::Deleted);
    return obj;
  }
  commit(type, key, obj, old, WatchEvent::Type::Modified);
  if (is_crd(*type)) serve_crd(*obj);
  return obj;
}

void Store::Impl::immutable_checks(const ResourceType& type, const Value& next, const Value& old,
                                   std::vector<StatusCause>& causes) {
  if (!type.builtin || type.group != "apps") return;
  const Value* a = value_at(next, {"spec", "selector"});
  const Value* b = value_at(old, {"spec", "selector"});
  if (a != nullptr && b != nullptr && *a != *b) {
    causes.push_back(
        invalid_cause("spec.selector", "Invalid value: " + to_json(*a) + ": field is immutable"));
  }
}

void Store::Impl::apply_defaults(const ResourceType& type, Document& doc, bool creating) {
  apply_builtin_defaults(type, doc, creating);
}

Object Store::Impl::do_remove(const TypeRef& type, const std::string& ns, const std::string& name,
                              const DeleteOptions& options) {
  std::unique_lock lock(mutex);
  Object old = lookup(*type, ns, name);
  if (!old) throw errors::not_found(*type, name);
  if (options.precondition_uid && *options.precondition_uid != str_at(*old, {"metadata", "uid"})) {
    throw errors::conflict_message(*type, name,
                                   "Precondition failed: UID in precondition: " + *options.precondition_uid +
                                       ", UID in object meta: " + str_at(*old, {"metadata", "uid"}));
  }
  if (options.precondition_resource_version &&
      *options.precondition_resource_version != str_at(*old, {"metadata", "resourceVersion"})) {
    throw errors::conflict_message(
        *type, name,
        "Precondition failed: ResourceVersion in precondition: " + *options.precondition_resource_version +
            ", ResourceVersion in object meta: " + str_at(*old, {"metadata", "resourceVersion"}));
  }
  std::string key = object_key(*type, ns, name);
  const Value* finalizers = value_at(*old, {"metadata", "finalizers"});
  bool has_finalizers = finalizers != nullptr && finalizers->IsArray() && !finalizers->Empty();
  if (is_namespace(*type)) {
    Document terminating = copy_object(*old);
    auto& a = terminating.GetAllocator();
    if (!value_at(terminating, {"metadata", "deletionTimestamp"})) {
      set_string(terminating["metadata"], "deletionTimestamp", now_rfc3339(), a);
      set_value(terminating["metadata"], "deletionGracePeriodSeconds", Value(0), a);
    }
    set_string(ensure_object(terminating, "status", a), "phase", "Terminating", a);
    if (options.dry_run) return std::make_shared<const Document>(std::move(terminating));
    ++rv;
    set_string(terminating["metadata"], "resourceVersion", std::to_string(rv), a);
    auto marked = std::make_shared<const Document>(std::move(terminating));
    commit(type, key, marked, old, WatchEvent::Type::Modified);
    // The namespace controller's work, done at once: everything in it, then the namespace.
    for (const auto& t : self.types().all()) {
      if (!t->namespaced) continue;
      auto it = collections.find(t->key());
      if (it == collections.end()) continue;
      Tree& objects = it->second.objects;
      std::string prefix = name + "/";
      std::vector<std::pair<std::string, Object>> doomed;
      for (auto o = objects.lower_bound(prefix); o != objects.end() && o->first.rfind(prefix, 0) == 0; ++o) {
        doomed.emplace_back(o->first, o->second);
      }
      for (auto& [k, obj] : doomed) {
        ++rv;
        commit(t, k, nullptr, obj, WatchEvent::Type::Deleted);
      }
    }
    ++rv;
    commit(type, key, nullptr, marked, WatchEvent::Type::Deleted);
    return marked;
  }
  if (has_finalizers) {
    if (value_at(*old, {"metadata", "deletionTimestamp"})) return old;
    Document marked = copy_object(*old);
    auto& a = marked.GetAllocator();
    set_string(marked["metadata"], "deletionTimestamp", now_rfc3339(), a);
    set_value(marked["metadata"], "deletionGracePeriodSeconds", Value(0), a);
    if (options.dry_run) return std::make_shared<const Document>(std::move(marked));
    ++rv;
    set_string(marked["metadata"], "resourceVersion", std::to_string(rv), a);
    auto obj = std::make_shared<const Document>(std::move(marked));
    commit(type, key, obj, old, WatchEvent::Type::Modified);
    return obj;
  }
  if (options.dry_run) return old;
  if (is_crd(*type)) unserve_crd(*old);
  ++rv;
  commit(type, key, nullptr, old, WatchEvent::Type::Deleted);
  return old;
}

}  // namespace emu
