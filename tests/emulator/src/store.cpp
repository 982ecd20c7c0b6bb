// Store: one cluster's objects with kube-apiserver's REST semantics. See store.hpp.
//
// Layout: one ordered tree per type keyed like etcd ("ns/name", or "name" for cluster-scoped
// types), with order statistics so paging and remainingItemCount cost O(page + log N). Every
// write runs under the cluster's exclusive lock, takes the next resourceVersion, lands in a
// bounded history (for watches from a resourceVersion and continue tokens) and is pushed to the
// live watch streams.
#include <ext/pb_ds/assoc_container.hpp>
#include <ext/pb_ds/tree_policy.hpp>

#include <algorithm>
#include <cstring>
#include <random>
#include <shared_mutex>
#include <unordered_map>

#include "defaults.hpp"
#include "patch.hpp"
#include "selectors.hpp"
#include "store.hpp"
#include "validation.hpp"

namespace emu {

using rapidjson::Document;
using rapidjson::Value;

namespace {

using Tree = __gnu_pbds::tree<std::string, Object, std::less<std::string>, __gnu_pbds::rb_tree_tag,
                              __gnu_pbds::tree_order_statistics_node_update>;

struct Collection {
  Tree objects;
};

std::string object_key(const ResourceType& type, const std::string& ns, const std::string& name) {
  return type.namespaced ? ns + "/" + name : name;
}

// ---- base64url (continue tokens) -------------------------------------------------------------

const char* kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string b64url_encode(const std::string& in) {
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8 | (unsigned char)in[i + 2];
    out += kB64[v >> 18];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += kB64[v & 63];
  }
  if (i + 1 == in.size()) {
    unsigned v = (unsigned char)in[i] << 16;
    out += kB64[v >> 18];
    out += kB64[(v >> 12) & 63];
  } else if (i + 2 == in.size()) {
    unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8;
    out += kB64[v >> 18];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
  }
  return out;
}

bool b64url_decode(const std::string& in, std::string& out) {
  out.clear();
  unsigned buffer = 0;
  int bits = 0;
  for (char c : in) {
    const char* p = std::strchr(kB64, c);
    if (c == '\0' || p == nullptr) return false;
    buffer = buffer << 6 | static_cast<unsigned>(p - kB64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  return true;
}

std::string encode_continue(const std::string& start_key, std::int64_t rv) {
  Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.AddMember("v", "meta.k8s.io/v1", a);
  d.AddMember("rv", rv, a);
  d.AddMember("start", Value(start_key, a), a);
  return b64url_encode(to_json(d));
}

// Decodes a continue token into (start key, rv), with the apiserver's error texts.
void decode_continue(const std::string& token, std::string& start, std::int64_t& rv) {
  auto invalid = [](const std::string& why) { return errors::bad_request("invalid continue token: " + why); };
  std::string raw;
  if (!b64url_decode(token, raw)) throw invalid("continue key is not valid: illegal base64 data");
  Document d;
  d.Parse(raw.c_str(), raw.size());
  if (d.HasParseError() || !d.IsObject()) throw invalid("continue key is not valid: invalid JSON");
  std::string version = str_at(d, {"v"});
  if (version != "meta.k8s.io/v1") {
    throw invalid("continue key is not valid: server does not recognize this encoded version " + version);
  }
  const Value* r = value_at(d, {"rv"});
  rv = r != nullptr && r->IsInt64() ? r->GetInt64() : 0;
  if (rv == 0)
    throw invalid(
        "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
  start = str_at(d, {"start"});
  if (start.empty())
    throw invalid("continue key is not valid: encoded start key empty (version meta.k8s.io/v1)");
}

// ---- object helpers ----------------------------------------------------------------------------

Value& ensure_object(Value& parent, const char* key, Document::AllocatorType& a) {
  auto it = parent.FindMember(key);
  if (it == parent.MemberEnd()) {
    parent.AddMember(Value(key, a), Value(rapidjson::kObjectType), a);
    return parent[key];
  }
  if (!it->value.IsObject()) it->value.SetObject();
  return it->value;
}

void set_string(Value& object, const char* key, const std::string& value, Document::AllocatorType& a) {
  auto it = object.FindMember(key);
  if (it != object.MemberEnd()) {
    it->value.SetString(value.c_str(), static_cast<rapidjson::SizeType>(value.size()), a);
  } else {
    object.AddMember(Value(key, a), Value(value, a), a);
  }
}

void set_value(Value& object, const char* key, Value value, Document::AllocatorType& a) {
  auto it = object.FindMember(key);
  if (it != object.MemberEnd()) {
    it->value = value;
  } else {
    object.AddMember(Value(key, a), value, a);
  }
}

void remove_member(Value& object, const char* key) {
  if (object.IsObject()) object.EraseMember(key);
}

// Copies member `key` of `from` into `to` (removing it from `to` when `from` lacks it).
void carry_member(Value& to, const Value& from, const char* key, Document::AllocatorType& a) {
  auto it = from.FindMember(key);
  if (it == from.MemberEnd()) {
    to.EraseMember(key);
  } else {
    set_value(to, key, Value(it->value, a), a);
  }
}

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

std::string quote(const std::string& s) {
  return "\"" + s + "\"";
}

// ---- watch streams -------------------------------------------------------------------------------

class WatchStreamImpl : public WatchStream {
 public:
  WatchStreamImpl(WatchFilter filter, LabelSelector labels, FieldSelector fields)
      : filter_(std::move(filter)), labels_(std::move(labels)), fields_(std::move(fields)) {}

  std::vector<WatchEvent> next(std::chrono::milliseconds max_wait) override {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, max_wait, [&] { return closed_ || !queue_.empty(); });
    std::vector<WatchEvent> out(std::make_move_iterator(queue_.begin()),
                                std::make_move_iterator(queue_.end()));
    queue_.clear();
    return out;
  }
  void close() override {
    std::lock_guard lock(mutex_);
    closed_ = true;
    cv_.notify_all();
  }
  bool closed() const override {
    std::lock_guard lock(mutex_);
    return closed_ && queue_.empty();
  }

  bool wants_type(const std::string& type_key) const {
    return filter_.type_key.empty() || filter_.type_key == type_key;
  }

  bool matches(const ResourceType& type, const Value& object) const {
    if (!filter_.type_key.empty() && filter_.type_key != type.key()) return false;
    if (!filter_.ns.empty() && type.namespaced && str_at(object, {"metadata", "namespace"}) != filter_.ns)
      return false;
    if (!filter_.name.empty() && str_at(object, {"metadata", "name"}) != filter_.name) return false;
    if (!labels_.empty() && !labels_.matches(value_at(object, {"metadata", "labels"}))) return false;
    if (!fields_.empty() && !fields_.matches(object)) return false;
    return true;
  }

  // Turns a change into what this watcher sees: with selectors, an object that stops matching is
  // DELETED and one that starts matching is ADDED (the watch cache's behaviour).
  void offer(const WatchEvent& event, const Object& previous) {
    bool now = event.object && matches(*event.resource, *event.object);
    bool before = previous && matches(*event.resource, *previous);
    WatchEvent out = event;
    if (event.type == WatchEvent::Type::Modified) {
      if (now && before) {
        out.type = WatchEvent::Type::Modified;
      } else if (now) {
        out.type = WatchEvent::Type::Added;
      } else if (before) {
        out.type = WatchEvent::Type::Deleted;
      } else {
        return;
      }
    } else if (!now) {
      return;
    }
    push(std::move(out));
  }

  void push(WatchEvent event) {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    if (queue_.size() > kMaxQueue) {  // a consumer this slow gets its watch ended, as the apiserver does
      closed_ = true;
      queue_.clear();
      cv_.notify_all();
      return;
    }
    queue_.push_back(std::move(event));
    cv_.notify_all();
  }

  bool is_closed() const {
    std::lock_guard lock(mutex_);
    return closed_;
  }

 private:
  static constexpr std::size_t kMaxQueue = 1'000'000;
  WatchFilter filter_;
  LabelSelector labels_;
  FieldSelector fields_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<WatchEvent> queue_;
  bool closed_ = false;
};

struct HistoryEntry {
  WatchEvent event;
  Object previous;
};

struct Subscription {
  std::shared_ptr<WatchStreamImpl> stream;
  std::thread thread;
};

}  // namespace

// ---------------------------------------------------------------------------------------------------

struct Store::Impl {
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

  // Records a change: the store, the history, the watchers. Caller holds the exclusive lock.
  void commit(const TypeRef& type, const std::string& key, Object next, Object previous,
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

  // Consumes one forced conflict of the object; true when there was one.
  bool take_forced_conflict(const ResourceType& type, const std::string& ns, const std::string& name) {
    if (forced_conflicts.empty()) return false;
    auto it = forced_conflicts.find(type.key() + "/" + ns + "/" + name);
    if (it == forced_conflicts.end()) return false;
    if (--it->second <= 0) forced_conflicts.erase(it);
    return true;
  }

  // A write with a resourceVersion precondition meets the simulated other writer: 409.
  void check_forced_conflict(const ResourceType& type, const std::string& ns, const std::string& name,
                             bool has_precondition) {
    if (has_precondition && take_forced_conflict(type, ns, name)) throw errors::conflict(type, name);
  }

  void check_namespace(const ResourceType& type, const std::string& ns, const std::string& name) const {
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

  // ---- create ----

  // Fills the system fields of a new object and checks it. Returns the key.
  std::string prepare_create(const ResourceType& type, const std::string& ns, Document& doc,
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

  Object do_create(const TypeRef& type, const std::string& ns, Document doc, bool dry_run, bool keep_status) {
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

  // ---- update ----

  static bool is_crd(const ResourceType& type) {
    return type.group == "apiextensions.k8s.io" && type.plural == "customresourcedefinitions";
  }
  static bool is_namespace(const ResourceType& type) {
    return type.group.empty() && type.plural == "namespaces";
  }

  // Writes `next` over `old` (both complete objects). `next` gets the system fields of `old`.
  // Caller holds the exclusive lock. `subresource` "" or "status" selects what of `next` counts.
  Object write_update(const TypeRef& type, const Object& old, Document next, const std::string& subresource,
                      bool dry_run, bool system) {
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
    for (const char* key : {"uid", "creationTimestamp", "namespace", "name", "deletionTimestamp",
                            "deletionGracePeriodSeconds"}) {
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

  void immutable_checks(const ResourceType& type, const Value& next, const Value& old,
                        std::vector<StatusCause>& causes) {
    if (!type.builtin || type.group != "apps") return;
    const Value* a = value_at(next, {"spec", "selector"});
    const Value* b = value_at(old, {"spec", "selector"});
    if (a != nullptr && b != nullptr && *a != *b) {
      causes.push_back(
          invalid_cause("spec.selector", "Invalid value: " + to_json(*a) + ": field is immutable"));
    }
  }

  // ---- scale ----

  static std::string selector_text(const Value* selector) {
    std::string out;
    if (selector == nullptr) return out;
    const Value* match = value_at(*selector, {"matchLabels"});
    if (match != nullptr && match->IsObject()) {
      std::vector<std::string> parts;
      for (const auto& m : match->GetObject()) {
        if (m.value.IsString()) parts.push_back(std::string(m.name.GetString()) + "=" + m.value.GetString());
      }
      std::sort(parts.begin(), parts.end());
      for (const auto& p : parts) out += (out.empty() ? "" : ",") + p;
    }
    return out;
  }

  static const Value* at_path(const Value& object, const std::string& json_path) {
    const Value* cur = &object;
    std::size_t start = json_path.rfind('.', 0) == 0 ? 1 : 0;
    while (cur != nullptr && start < json_path.size()) {
      auto dot = json_path.find('.', start);
      std::string key = json_path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      if (!cur->IsObject()) return nullptr;
      auto it = cur->FindMember(key.c_str());
      cur = it == cur->MemberEnd() ? nullptr : &it->value;
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    return cur;
  }

  static Document make_scale(const ResourceType& type, const Value& object) {
    Document s(rapidjson::kObjectType);
    auto& a = s.GetAllocator();
    s.AddMember("kind", "Scale", a);
    s.AddMember("apiVersion", "autoscaling/v1", a);
    Value meta(rapidjson::kObjectType);
    for (const char* key : {"name", "namespace", "uid", "resourceVersion", "creationTimestamp"}) {
      const Value* v = value_at(object, {"metadata", key});
      if (v != nullptr) meta.AddMember(Value(key, a), Value(*v, a), a);
    }
    s.AddMember("metadata", meta, a);
    std::int64_t spec_replicas = 0, status_replicas = 0;
    std::string selector;
    if (type.builtin) {
      const Value* r = value_at(object, {"spec", "replicas"});
      spec_replicas = r != nullptr && r->IsInt64() ? r->GetInt64() : 0;
      const Value* sr = value_at(object, {"status", "replicas"});
      status_replicas = sr != nullptr && sr->IsInt64() ? sr->GetInt64() : 0;
      selector = selector_text(value_at(object, {"spec", "selector"}));
    } else {
      const Value* r = at_path(object, type.scale_paths.spec_replicas);
      spec_replicas = r != nullptr && r->IsInt64() ? r->GetInt64() : 0;
      const Value* sr = at_path(object, type.scale_paths.status_replicas);
      status_replicas = sr != nullptr && sr->IsInt64() ? sr->GetInt64() : 0;
      if (!type.scale_paths.label_selector.empty()) {
        const Value* sel = at_path(object, type.scale_paths.label_selector);
        if (sel != nullptr && sel->IsString()) selector = sel->GetString();
      }
    }
    Value spec(rapidjson::kObjectType);
    spec.AddMember("replicas", spec_replicas, a);
    s.AddMember("spec", spec, a);
    Value status(rapidjson::kObjectType);
    status.AddMember("replicas", status_replicas, a);
    if (!selector.empty()) status.AddMember("selector", Value(selector, a), a);
    s.AddMember("status", status, a);
    return s;
  }

  // Applies a Scale body to the object. Caller holds the exclusive lock.
  Object write_scale(const TypeRef& type, const Object& old, const Value& scale, bool dry_run,
                     std::string& name) {
    static const ResourceType scale_type = [] {
      ResourceType t;
      t.group = "autoscaling";
      t.version = "v1";
      t.plural = "scale";
      t.kind = "Scale";
      return t;
    }();
    std::string rv_text = str_at(scale, {"metadata", "resourceVersion"});
    if (!rv_text.empty() && rv_text != str_at(*old, {"metadata", "resourceVersion"})) {
      throw errors::conflict(*type, name);
    }
    const Value* replicas = value_at(scale, {"spec", "replicas"});
    std::int64_t n = 0;
    if (replicas != nullptr && !replicas->IsNull()) {
      if (!replicas->IsInt()) {
        throw errors::bad_request(
            "Scale in version \"v1\" cannot be handled as a Scale: json: cannot unmarshal " +
            std::string(replicas->IsString() ? "string" : "number " + to_json(*replicas)) +
            " into Go struct field ScaleSpec.spec.replicas of type int32");
      }
      n = replicas->GetInt64();
    }
    if (n < 0) {
      throw errors::invalid(
          scale_type, name,
          {invalid_cause("spec.replicas", invalid_body_int(n, "must be greater than or equal to 0"))});
    }
    Document next = copy_object(*old);
    auto& a = next.GetAllocator();
    if (type->builtin) {
      set_value(ensure_object(next, "spec", a), "replicas", Value(n), a);
    } else {
      // specReplicasPath ".spec.replicas" style.
      std::string path = type->scale_paths.spec_replicas;
      if (path.rfind('.', 0) == 0) path = path.substr(1);
      Value* cur = &next;
      std::size_t start = 0;
      while (true) {
        auto dot = path.find('.', start);
        std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        if (dot == std::string::npos) {
          set_value(*cur, key.c_str(), Value(n), a);
          break;
        }
        cur = &ensure_object(*cur, key.c_str(), a);
        start = dot + 1;
      }
    }
    return write_update(type, old, std::move(next), "", dry_run, /*system=*/true);
  }

  // ---- defaults ----

  static void apply_defaults(const ResourceType& type, Document& doc, bool creating) {
    apply_builtin_defaults(type, doc, creating);
  }

  // ---- CRDs ----

  // Fills a CRD's status the way the apiextensions controllers do once it is established.
  static void prepare_crd(Document& crd) {
    auto& a = crd.GetAllocator();
    Value status(rapidjson::kObjectType);
    const Value* names = value_at(crd, {"spec", "names"});
    Value accepted(rapidjson::kObjectType);
    if (names != nullptr) accepted.CopyFrom(*names, a);
    if (!accepted.HasMember("singular") && names != nullptr) {
      std::string kind = str_at(*names, {"kind"});
      std::transform(kind.begin(), kind.end(), kind.begin(), ::tolower);
      accepted.AddMember("singular", Value(kind, a), a);
    }
    if (!accepted.HasMember("listKind") && names != nullptr) {
      accepted.AddMember("listKind", Value(str_at(*names, {"kind"}) + "List", a), a);
    }
    status.AddMember("acceptedNames", accepted, a);
    Value conditions(rapidjson::kArrayType);
    std::string now = now_rfc3339();
    auto condition = [&](const char* type, const char* reason, const char* message) {
      Value c(rapidjson::kObjectType);
      c.AddMember("type", Value(type, a), a);
      c.AddMember("status", "True", a);
      c.AddMember("lastTransitionTime", Value(now, a), a);
      c.AddMember("reason", Value(reason, a), a);
      c.AddMember("message", Value(message, a), a);
      conditions.PushBack(c, a);
    };
    condition("NamesAccepted", "NoConflicts", "no conflicts found");
    condition("Established", "InitialNamesAccepted", "the initial names have been accepted");
    status.AddMember("conditions", conditions, a);
    Value stored(rapidjson::kArrayType);
    const Value* versions = value_at(crd, {"spec", "versions"});
    if (versions != nullptr && versions->IsArray()) {
      for (const auto& v : versions->GetArray()) {
        const Value* s = value_at(v, {"storage"});
        if (s != nullptr && s->IsBool() && s->GetBool()) stored.PushBack(Value(str_at(v, {"name"}), a), a);
      }
    }
    status.AddMember("storedVersions", stored, a);
    set_value(crd, "status", std::move(status), a);
  }

  void serve_crd(const Value& crd) {
    const std::string group = str_at(crd, {"spec", "group"});
    const std::string plural = str_at(crd, {"spec", "names", "plural"});
    self.types().remove(group, plural);
    for (auto& t : types_from_crd(crd)) self.types().add(std::move(t));
  }

  // Deletes every object of the types a CRD serves. Caller holds the exclusive lock.
  void unserve_crd(const Value& crd) {
    const std::string group = str_at(crd, {"spec", "group"});
    const std::string plural = str_at(crd, {"spec", "names", "plural"});
    TypeRef type = self.types().find(group, plural);
    if (type) {
      auto it = collections.find(type->key());
      if (it != collections.end()) {
        std::vector<std::pair<std::string, Object>> all(it->second.objects.begin(), it->second.objects.end());
        for (auto& [key, obj] : all) {
          ++rv;
          commit(type, key, nullptr, obj, WatchEvent::Type::Deleted);
        }
        collections.erase(type->key());
      }
    }
    self.types().remove(group, plural);
  }

  // ---- delete ----

  Object do_remove(const TypeRef& type, const std::string& ns, const std::string& name,
                   const DeleteOptions& options) {
    std::unique_lock lock(mutex);
    Object old = lookup(*type, ns, name);
    if (!old) throw errors::not_found(*type, name);
    if (options.precondition_uid && *options.precondition_uid != str_at(*old, {"metadata", "uid"})) {
      throw errors::conflict_message(
          *type, name,
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
        for (auto o = objects.lower_bound(prefix); o != objects.end() && o->first.rfind(prefix, 0) == 0;
             ++o) {
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
};

// ---------------------------------------------------------------------------------------------------

Store::Store(std::string cluster_name)
    : cluster_name_(std::move(cluster_name)), impl_(std::make_unique<Impl>(*this)) {}

Store::~Store() {
  std::vector<SubscriptionId> ids;
  {
    std::lock_guard lock(impl_->subscriptions_mutex);
    for (auto& [id, s] : impl_->subscriptions) ids.push_back(id);
  }
  for (auto id : ids) unsubscribe(id);
}

TypeRef Store::type(const std::string& group, const std::string& plural) const {
  TypeRef t = types_.find(group, plural);
  if (!t) throw errors::path_not_found();
  return t;
}

Object Store::find(const ResourceType& type, const std::string& ns, const std::string& name) const {
  std::shared_lock lock(impl_->mutex);
  return impl_->lookup(type, type.namespaced ? ns : "", name);
}

Object Store::get(const ResourceType& type, const std::string& ns, const std::string& name,
                  const std::string& subresource) const {
  Object obj = find(type, ns, name);
  if (!obj) throw errors::not_found(type, name);
  if (subresource == "scale") {
    if (!type.scale_subresource) throw errors::path_not_found();
    return std::make_shared<const Document>(Impl::make_scale(type, *obj));
  }
  if (subresource == "status" && !type.status_subresource) throw errors::path_not_found();
  return obj;
}

ListResult Store::list(const ResourceType& type, const std::string& ns_in, const ListOptions& options) const {
  LabelSelector labels = parse_label_selector(options.label_selector);
  FieldSelector fields = parse_field_selector(options.field_selector, type.group, type.plural);
  const std::string ns = type.namespaced ? ns_in : "";
  std::string start;
  std::int64_t token_rv = 0;
  if (!options.continue_token.empty()) {
    if (!options.resource_version.empty() && options.resource_version != "0") {
      throw errors::bad_request("specifying resource version is not allowed when using continue");
    }
    decode_continue(options.continue_token, start, token_rv);
  }
  std::shared_lock lock(impl_->mutex);
  ListResult result;
  if (token_rv > 0 && static_cast<std::uint64_t>(token_rv) <= impl_->compacted) {
    StatusError e = errors::expired(
        "The provided continue parameter is too old to display a consistent list result. You can start a new "
        "list "
        "without the continue parameter, or use the continue token in this response to retrieve the "
        "remainder of "
        "the results. Continuing with the provided token results in an inconsistent list - objects that were "
        "created, modified, or deleted between the time the first chunk was returned and now may show up in "
        "the "
        "list.");
    e.continue_token = encode_continue(start, -1);
    throw e;
  }
  result.resource_version = token_rv > 0 ? static_cast<std::uint64_t>(token_rv) : impl_->rv;
  const Collection* c = impl_->find_collection(type);
  if (c == nullptr) return result;
  const Tree& objects = c->objects;
  std::string range_begin = ns.empty() ? std::string() : ns + "/";
  std::string range_end = ns.empty() ? std::string() : ns + "0";  // '0' follows '/'
  std::string from = std::max(range_begin, start);
  auto it = objects.lower_bound(from);
  auto in_range = [&](const Tree::const_iterator& i) {
    return i != objects.end() && (range_end.empty() || i->first < range_end);
  };
  const std::string exact = fields.exact_name();
  std::string last_key;
  bool more = false;
  for (; in_range(it); ++it) {
    const Value& obj = *it->second;
    if (!exact.empty() && str_at(obj, {"metadata", "name"}) != exact) continue;
    if (!labels.empty() && !labels.matches(value_at(obj, {"metadata", "labels"}))) continue;
    if (!fields.empty() && !fields.matches(obj)) continue;
    if (options.limit > 0 && result.items.size() >= options.limit) {
      more = true;
      break;
    }
    result.items.push_back(it->second);
    last_key = it->first;
  }
  if (more) {
    result.continue_token =
        encode_continue(last_key + std::string(1, '\0'), static_cast<std::int64_t>(result.resource_version));
    if (labels.empty() && fields.empty()) {
      std::size_t end_rank = range_end.empty() ? objects.size() : objects.order_of_key(range_end);
      std::size_t after = objects.order_of_key(last_key) + 1;
      result.remaining = static_cast<std::int64_t>(end_rank - after);
    }
  }
  return result;
}

std::vector<Object> Store::items(const ResourceType& type, const std::string& ns) const {
  ListOptions options;
  return list(type, ns, options).items;
}

std::size_t Store::count(const ResourceType& type) const {
  std::shared_lock lock(impl_->mutex);
  const Collection* c = impl_->find_collection(type);
  return c == nullptr ? 0 : c->objects.size();
}

namespace {

// The fieldValidation directive of a write: the unknown fields dropped, then refused (Strict),
// reported (Warn) or not (Ignore). `decoding` is true for a request body decoded as the kind
// (create, update), false for a patched object.
void validate_fields(const ResourceType& type, Value& object, const WriteOptions& options, const char* verb,
                     bool decoding) {
  const std::string& directive = options.field_validation;
  if (!directive.empty() && directive != "Strict" && directive != "Warn" && directive != "Ignore") {
    ResourceType opts;
    opts.group = "meta.k8s.io";
    opts.kind = verb;
    throw errors::invalid(opts, "",
                          {{"FieldValueNotSupported",
                            "Unsupported value: \"" + directive +
                                "\": supported values: \"\", \"Ignore\", \"Strict\", \"Warn\"",
                            "fieldValidation"}});
  }
  std::vector<std::string> unknown = prune_unknown_fields(type, object);
  if (unknown.empty() || directive == "Ignore") return;
  if (directive == "Strict") {
    std::string message = "strict decoding error: ";
    for (std::size_t i = 0; i < unknown.size(); ++i)
      message += (i ? ", " : "") + ("unknown field \"" + unknown[i] + "\"");
    if (decoding) {
      message = type.kind + " in version \"" + type.version + "\" cannot be handled as a " + type.kind +
                ": " + message;
    }
    throw errors::bad_request(message);
  }
  if (options.warnings != nullptr)
    for (const auto& f : unknown) options.warnings->push_back("unknown field \"" + f + "\"");
}

}  // namespace

Object Store::create(const ResourceType& type, const std::string& ns, Document object,
                     const WriteOptions& options) {
  TypeRef t = types_.find(type.group, type.version, type.plural);
  if (!t) throw errors::path_not_found();
  if (!options.subresource.empty())
    throw errors::method_not_allowed("the server does not allow this method on the requested resource");
  check_decodable(*t, object);
  validate_fields(*t, object, options, "CreateOptions", true);
  return impl_->do_create(t, ns, std::move(object), options.dry_run, false);
}

Object Store::update(const ResourceType& type, const std::string& ns_in, const std::string& name,
                     Document object, const WriteOptions& options) {
  TypeRef t = types_.find(type.group, type.version, type.plural);
  if (!t) throw errors::path_not_found();
  const std::string ns = t->namespaced ? ns_in : "";
  if (options.subresource == "status" && !t->status_subresource) throw errors::path_not_found();
  if (options.subresource == "scale") {
    if (!t->scale_subresource) throw errors::path_not_found();
    std::unique_lock lock(impl_->mutex);
    Object old = impl_->lookup(*t, ns, name);
    if (!old) throw errors::not_found(*t, name);
    impl_->check_forced_conflict(*t, ns, name, !str_at(object, {"metadata", "resourceVersion"}).empty());
    std::string n = name;
    Object updated = impl_->write_scale(t, old, object, options.dry_run, n);
    return std::make_shared<const Document>(Impl::make_scale(*t, *updated));
  }
  check_decodable(*t, object);
  validate_fields(*t, object, options, "UpdateOptions", true);
  std::string api_version = str_at(object, {"apiVersion"});
  if (!api_version.empty() && api_version != t->api_version()) {
    throw errors::bad_request("the API version in the data (" + api_version +
                              ") does not match the expected API version (" + t->api_version() + ")");
  }
  std::string body_name = str_at(object, {"metadata", "name"});
  if (body_name != name) {
    throw errors::bad_request("the name of the object (" + body_name +
                              ") does not match the name on the URL (" + name + ")");
  }
  std::string body_ns = str_at(object, {"metadata", "namespace"});
  if (t->namespaced && !body_ns.empty() && body_ns != ns) {
    throw errors::bad_request("the namespace of the object (" + body_ns +
                              ") does not match the namespace on the request (" + ns + ")");
  }
  std::unique_lock lock(impl_->mutex);
  Object old = impl_->lookup(*t, ns, name);
  if (!old) throw errors::not_found(*t, name);
  std::string body_rv = str_at(object, {"metadata", "resourceVersion"});
  impl_->check_forced_conflict(*t, ns, name, !body_rv.empty());
  if (body_rv.empty()) {
    bool unconditional = t->builtin && !Impl::is_crd(*t);
    if (!unconditional) {
      throw errors::invalid(
          *t, name,
          {invalid_cause("metadata.resourceVersion", "Invalid value: 0x0: must be specified for an update")});
    }
  } else if (body_rv != str_at(*old, {"metadata", "resourceVersion"})) {
    throw errors::conflict(*t, name);
  }
  std::string body_uid = str_at(object, {"metadata", "uid"});
  if (!body_uid.empty() && body_uid != str_at(*old, {"metadata", "uid"})) {
    throw errors::conflict_message(*t, name,
                                   "Precondition failed: UID in precondition: " + body_uid +
                                       ", UID in object meta: " + str_at(*old, {"metadata", "uid"}));
  }
  return impl_->write_update(t, old, std::move(object), options.subresource, options.dry_run, false);
}

namespace {

enum class Precondition { None, Set, Tested };

// Whether a patch carries a resourceVersion precondition: it sets metadata.resourceVersion (the
// patched object then holds it, and the write is conditional on it), or a JSON patch only tests it.
Precondition patch_precondition(PatchType type, const Value& patch) {
  auto has_rv = [](const Value* metadata) {
    if (metadata == nullptr || !metadata->IsObject()) return false;
    auto it = metadata->FindMember("resourceVersion");
    return it != metadata->MemberEnd() && it->value.IsString() && it->value.GetStringLength() > 0;
  };
  if (type != PatchType::Json)
    return has_rv(value_at(patch, {"metadata"})) ? Precondition::Set : Precondition::None;
  if (!patch.IsArray()) return Precondition::None;
  Precondition found = Precondition::None;
  for (const Value& op : patch.GetArray()) {
    std::string kind = str_at(op, {"op"}), path = str_at(op, {"path"});
    const Value* value = value_at(op, {"value"});
    if (kind == "add" || kind == "replace") {
      if (path == "/metadata/resourceVersion" && value != nullptr && value->IsString() &&
          value->GetStringLength() > 0)
        return Precondition::Set;
      if (path == "/metadata" && has_rv(value)) return Precondition::Set;
      if (path.empty() && value != nullptr && has_rv(value_at(*value, {"metadata"})))
        return Precondition::Set;
    } else if (kind == "test" && path == "/metadata/resourceVersion") {
      found = Precondition::Tested;
    }
  }
  return found;
}

}  // namespace

Object Store::patch(const ResourceType& type, const std::string& ns_in, const std::string& name,
                    PatchType patch_type, std::string_view body, const WriteOptions& options) {
  TypeRef t = types_.find(type.group, type.version, type.plural);
  if (!t) throw errors::path_not_found();
  const std::string ns = t->namespaced ? ns_in : "";
  if (patch_type == PatchType::Strategic && !t->builtin) {
    throw errors::unsupported_media_type(
        "the body of the request was in an unknown format - accepted media types include: "
        "application/json-patch+json, "
        "application/merge-patch+json, application/apply-patch+yaml");
  }
  if (options.subresource == "status" && !t->status_subresource) throw errors::path_not_found();
  if (options.subresource == "scale" && !t->scale_subresource) throw errors::path_not_found();
  if (patch_type == PatchType::Apply && options.field_manager.empty()) {
    ResourceType patch_options;
    patch_options.group = "meta.k8s.io";
    patch_options.kind = "PatchOptions";
    throw errors::invalid(patch_options, "", {required_cause("fieldManager", "is required for apply patch")});
  }
  Document patch_doc;
  patch_doc.Parse(body.data(), body.size());
  if (patch_doc.HasParseError()) {
    if (patch_type == PatchType::Merge) throw errors::bad_request("Invalid JSON Patch");
    if (patch_type == PatchType::Apply) {
      throw errors::bad_request(
          "error decoding YAML: only JSON apply patches are supported by kube-emulator");
    }
    throw errors::bad_request("invalid character '" + std::string(1, body.empty() ? ' ' : body[0]) +
                              "' looking for beginning of value");
  }
  std::unique_lock lock(impl_->mutex);
  Object old = impl_->lookup(*t, ns, name);
  if (!old) {
    if (patch_type == PatchType::Apply && options.subresource.empty()) {
      // Server-side apply creates what does not exist.
      lock.unlock();
      Document created = copy_object(patch_doc);
      auto& a = created.GetAllocator();
      if (!created.IsObject()) throw errors::bad_request("apply patch must be a JSON object");
      Value& meta = ensure_object(created, "metadata", a);
      set_string(meta, "name", name, a);
      return impl_->do_create(t, ns, std::move(created), options.dry_run, false);
    }
    throw errors::not_found(*t, name);
  }
  // The document the patch applies to: the object, or its Scale.
  Document target = options.subresource == "scale" ? Impl::make_scale(*t, *old) : copy_object(*old);
  const std::string before_rv = str_at(target, {"metadata", "resourceVersion"});
  switch (patch_precondition(patch_type, patch_doc)) {
    case Precondition::None:
      break;
    case Precondition::Set:
      impl_->check_forced_conflict(*t, ns, name, true);
      break;
    case Precondition::Tested:
      // The other writer changed the object: the test op meets a newer resourceVersion.
      if (impl_->take_forced_conflict(*t, ns, name)) {
        auto& a = target.GetAllocator();
        set_string(ensure_object(target, "metadata", a), "resourceVersion", std::to_string(impl_->rv + 1), a);
      }
      break;
  }
  switch (patch_type) {
    case PatchType::Merge:
      apply_merge_patch(target, patch_doc, target.GetAllocator());
      break;
    case PatchType::Json:
      apply_json_patch(target, patch_doc);
      break;
    case PatchType::Strategic:
      if (!patch_doc.IsObject())
        throw errors::bad_request("unable to find api field in struct for the patch");
      apply_strategic_merge_patch(target, patch_doc, target.GetAllocator());
      break;
    case PatchType::Apply: {
      if (!patch_doc.IsObject()) throw errors::bad_request("apply patch must be a JSON object");
      if (t->builtin) {
        apply_strategic_merge_patch(target, patch_doc, target.GetAllocator());
      } else {
        apply_merge_patch(target, patch_doc, target.GetAllocator());
      }
      break;
    }
  }
  if (!target.IsObject()) throw errors::bad_request("the patch did not produce an object");
  // A resourceVersion in the patched result is a precondition.
  std::string after_rv = str_at(target, {"metadata", "resourceVersion"});
  if (after_rv != before_rv && !after_rv.empty()) throw errors::conflict(*t, name);
  std::string patched_name = str_at(target, {"metadata", "name"});
  if (patched_name != name) {
    throw errors::bad_request("the name of the object (" + patched_name +
                              ") does not match the name on the URL (" + name + ")");
  }
  if (options.subresource == "scale") {
    std::string n = name;
    Object updated = impl_->write_scale(t, old, target, options.dry_run, n);
    return std::make_shared<const Document>(Impl::make_scale(*t, *updated));
  }
  check_decodable(*t, target);
  validate_fields(*t, target, options, "PatchOptions", false);
  return impl_->write_update(t, old, std::move(target), options.subresource, options.dry_run, false);
}

Object Store::remove(const ResourceType& type, const std::string& ns, const std::string& name,
                     const DeleteOptions& options) {
  TypeRef t = types_.find(type.group, type.version, type.plural);
  if (!t) throw errors::path_not_found();
  return impl_->do_remove(t, t->namespaced ? ns : "", name, options);
}

std::vector<Object> Store::remove_collection(const ResourceType& type, const std::string& ns,
                                             const ListOptions& options,
                                             const DeleteOptions& delete_options) {
  ListOptions all = options;
  all.limit = 0;
  all.continue_token.clear();
  std::vector<Object> removed;
  for (const auto& obj : list(type, ns, all).items) {
    try {
      removed.push_back(remove(type, str_at(*obj, {"metadata", "namespace"}),
                               str_at(*obj, {"metadata", "name"}), delete_options));
    } catch (const StatusError& e) {
      if (e.code != 404) throw;
    }
  }
  return removed;
}

Object Store::mutate(const ResourceType& type, const std::string& ns_in, const std::string& name,
                     const std::function<bool(Document&)>& change) {
  TypeRef t = types_.find(type.group, type.version, type.plural);
  if (!t) throw errors::path_not_found();
  const std::string ns = t->namespaced ? ns_in : "";
  std::unique_lock lock(impl_->mutex);
  Object old = impl_->lookup(*t, ns, name);
  if (!old) throw errors::not_found(*t, name);
  Document next = copy_object(*old);
  if (!change(next)) return old;
  check_decodable(*t, next);
  return impl_->write_update(t, old, std::move(next), "", false, /*system=*/true);
}

Object Store::upsert(const ResourceType& type, Document object) {
  TypeRef t = types_.find(type.group, type.version, type.plural);
  if (!t) throw errors::path_not_found();
  const std::string ns = t->namespaced ? str_at(object, {"metadata", "namespace"}) : "";
  const std::string name = str_at(object, {"metadata", "name"});
  {
    std::unique_lock lock(impl_->mutex);
    Object old = name.empty() ? nullptr : impl_->lookup(*t, ns, name);
    if (old) {
      Document next = copy_object(*old);
      auto& a = next.GetAllocator();
      // Everything but metadata comes from `object`; of metadata, labels and annotations.
      std::vector<std::string> drop;
      for (const auto& m : next.GetObject()) {
        if (std::strcmp(m.name.GetString(), "metadata") != 0) drop.emplace_back(m.name.GetString());
      }
      for (const auto& k : drop) next.EraseMember(k.c_str());
      for (const auto& m : object.GetObject()) {
        if (std::strcmp(m.name.GetString(), "metadata") == 0) continue;
        next.AddMember(Value(m.name, a), Value(m.value, a), a);
      }
      Value& meta = next["metadata"];
      const Value& given = object["metadata"];
      carry_member(meta, given, "labels", a);
      carry_member(meta, given, "annotations", a);
      carry_member(meta, given, "ownerReferences", a);
      check_decodable(*t, next);
      return impl_->write_update(t, old, std::move(next), "", false, /*system=*/true);
    }
  }
  return impl_->do_create(t, ns, std::move(object), false, /*keep_status=*/true);
}

// ---- events ---------------------------------------------------------------------------------------

std::shared_ptr<WatchStream> Store::watch(const WatchFilter& filter, const std::string& resource_version) {
  std::string group, plural;
  if (auto slash = filter.type_key.find('/'); slash != std::string::npos) {
    group = filter.type_key.substr(0, slash);
    plural = filter.type_key.substr(slash + 1);
  }
  LabelSelector labels = parse_label_selector(filter.label_selector);
  FieldSelector fields = parse_field_selector(filter.field_selector, group, plural);
  auto stream = std::make_shared<WatchStreamImpl>(filter, std::move(labels), std::move(fields));
  std::uint64_t from = 0;
  bool initial = resource_version.empty() || resource_version == "0";
  if (!initial) {
    char* end = nullptr;
    from = std::strtoull(resource_version.c_str(), &end, 10);
    if (end == nullptr || *end != '\0') {
      throw errors::bad_request("invalid resource version: strconv.ParseUint: parsing " +
                                quote(resource_version) + ": invalid syntax");
    }
  }
  std::unique_lock lock(impl_->mutex);
  if (initial) {
    for (const auto& t : types_.all()) {
      if (!filter.type_key.empty() && t->key() != filter.type_key) continue;
      const Collection* c = impl_->find_collection(*t);
      if (c == nullptr) continue;
      for (const auto& [key, obj] : c->objects) {
        if (!stream->matches(*t, *obj)) continue;
        WatchEvent e;
        e.type = WatchEvent::Type::Added;
        const std::string rv_text = str_at(*obj, {"metadata", "resourceVersion"});
        e.resource_version = std::strtoull(rv_text.c_str(), nullptr, 10);
        e.resource = t;
        e.object = obj;
        stream->push(std::move(e));
      }
    }
  } else {
    if (from < impl_->compacted) {
      throw errors::expired("too old resource version: " + std::to_string(from) + " (" +
                            std::to_string(impl_->compacted) + ")");
    }
    for (const auto& h : impl_->history) {
      if (h.event.resource_version <= from) continue;
      if (!stream->wants_type(h.event.resource->key())) continue;
      if (h.event.type == WatchEvent::Type::Deleted) {
        if (stream->matches(*h.event.resource, *h.event.object)) stream->push(h.event);
      } else {
        stream->offer(h.event, h.previous);
      }
    }
  }
  std::lock_guard wl(impl_->watchers_mutex);
  impl_->watchers.push_back(stream);
  return stream;
}

SubscriptionId Store::subscribe(const WatchFilter& filter, std::function<void(const WatchEvent&)> fn) {
  auto stream = std::dynamic_pointer_cast<WatchStreamImpl>(watch(filter, std::to_string(resource_version())));
  std::lock_guard lock(impl_->subscriptions_mutex);
  SubscriptionId id = impl_->next_subscription++;
  Subscription& s = impl_->subscriptions[id];
  s.stream = stream;
  s.thread = std::thread([stream, fn = std::move(fn)] {
    while (true) {
      auto events = stream->next(std::chrono::milliseconds(500));
      for (const auto& e : events) {
        try {
          fn(e);
        } catch (const std::exception&) {
          // A controller's failure must not end its subscription.
        }
      }
      if (events.empty() && stream->closed()) return;
    }
  });
  return id;
}

void Store::unsubscribe(SubscriptionId id) {
  Subscription s;
  {
    std::lock_guard lock(impl_->subscriptions_mutex);
    auto it = impl_->subscriptions.find(id);
    if (it == impl_->subscriptions.end()) return;
    s = std::move(it->second);
    impl_->subscriptions.erase(it);
  }
  s.stream->close();
  if (s.thread.joinable()) s.thread.join();
}

std::uint64_t Store::resource_version() const {
  std::shared_lock lock(impl_->mutex);
  return impl_->rv;
}

void Store::compact() {
  std::unique_lock lock(impl_->mutex);
  impl_->history.clear();
  impl_->compacted = impl_->rv;
}

std::uint64_t Store::compacted_revision() const {
  std::shared_lock lock(impl_->mutex);
  return impl_->compacted;
}

void Store::set_history_limit(std::size_t events) {
  std::unique_lock lock(impl_->mutex);
  impl_->history_limit = std::max<std::size_t>(events, 1);
  while (impl_->history.size() > impl_->history_limit) {
    impl_->compacted = impl_->history.front().event.resource_version;
    impl_->history.pop_front();
  }
}

void Store::force_conflicts(const ResourceType& type, const std::string& ns, const std::string& name,
                            int count) {
  std::unique_lock lock(impl_->mutex);
  std::string key = type.key() + "/" + (type.namespaced ? ns : "") + "/" + name;
  if (count <= 0) {
    impl_->forced_conflicts.erase(key);
  } else {
    impl_->forced_conflicts[key] = count;
  }
}

// ---- persistence -------------------------------------------------------------------------------------

std::string Store::save() const {
  std::shared_lock lock(impl_->mutex);
  Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.AddMember("resourceVersion", Value(impl_->rv), a);
  Value objects(rapidjson::kArrayType);
  auto types = types_.all();
  // CRDs first, so loading serves their types before their objects arrive.
  std::stable_sort(types.begin(), types.end(),
                   [](const TypeRef& x, const TypeRef& y) { return Impl::is_crd(*x) && !Impl::is_crd(*y); });
  for (const auto& t : types) {
    const Collection* c = impl_->find_collection(*t);
    if (c == nullptr) continue;
    for (const auto& [key, obj] : c->objects) objects.PushBack(Value(*obj, a), a);
  }
  d.AddMember("objects", objects, a);
  return to_json(d);
}

void Store::load(std::string_view snapshot) {
  Document d = parse_json(snapshot);
  const Value* objects = value_at(d, {"objects"});
  if (objects == nullptr || !objects->IsArray()) throw errors::bad_request("snapshot has no objects");
  std::unique_lock lock(impl_->mutex);
  for (const auto& o : objects->GetArray()) {
    TypeRef t = types_.find_kind(str_at(o, {"apiVersion"}), str_at(o, {"kind"}));
    if (!t) continue;  // a type no longer served
    auto obj = std::make_shared<const Document>(copy_object(o));
    std::string ns = t->namespaced ? str_at(o, {"metadata", "namespace"}) : "";
    impl_->collection(*t).objects.erase(object_key(*t, ns, str_at(o, {"metadata", "name"})));
    impl_->collection(*t).objects.insert({object_key(*t, ns, str_at(o, {"metadata", "name"})), obj});
    if (Impl::is_crd(*t)) impl_->serve_crd(*obj);
  }
  const Value* rv = value_at(d, {"resourceVersion"});
  if (rv != nullptr && rv->IsUint64()) impl_->rv = std::max(impl_->rv, rv->GetUint64());
  impl_->history.clear();
  impl_->compacted = impl_->rv;
}

}  // namespace emu
