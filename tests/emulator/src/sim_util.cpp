#include "sim_util.hpp"

#include <random>

namespace emu::sim {

bool try_parse_json(std::string_view text, Doc& out) {
  out.Parse(text.data(), text.size());
  return !out.HasParseError();
}

Doc parse(std::string_view text) {
  Doc d;
  if (!try_parse_json(text, d) || !d.IsObject()) d.SetObject();
  return d;
}

std::string quote(std::string_view s) {
  Val v(rapidjson::StringRef(s.data(), s.size()));
  return to_json(v);
}

const Val* find(const Val& v, std::string_view key) {
  if (!v.IsObject()) return nullptr;
  auto it = v.FindMember(Val(rapidjson::StringRef(key.data(), key.size())));
  return it == v.MemberEnd() ? nullptr : &it->value;
}

Val* find(Val& v, std::string_view key) {
  if (!v.IsObject()) return nullptr;
  auto it = v.FindMember(Val(rapidjson::StringRef(key.data(), key.size())));
  return it == v.MemberEnd() ? nullptr : &it->value;
}

const Val* find_path(const Val& v, std::initializer_list<std::string_view> path) {
  const Val* cur = &v;
  for (auto k : path) {
    cur = find(*cur, k);
    if (!cur) return nullptr;
  }
  return cur;
}

std::string get_string(const Val& v, std::initializer_list<std::string_view> path, std::string def) {
  const Val* x = find_path(v, path);
  return x && x->IsString() ? std::string(x->GetString(), x->GetStringLength()) : def;
}

int64_t get_int(const Val& v, std::initializer_list<std::string_view> path, int64_t def) {
  const Val* x = find_path(v, path);
  return x && x->IsInt64() ? x->GetInt64() : def;
}

bool get_bool(const Val& v, std::initializer_list<std::string_view> path, bool def) {
  const Val* x = find_path(v, path);
  return x && x->IsBool() ? x->GetBool() : def;
}

void add_owner_reference(Val& metadata, const OwnerRef& owner, bool controller, Alloc& a) {
  Val refs(rapidjson::kArrayType);
  Val ref(rapidjson::kObjectType);
  set_string(ref, "apiVersion", owner.api_version, a);
  set_string(ref, "kind", owner.kind, a);
  set_string(ref, "name", owner.name, a);
  set_string(ref, "uid", owner.uid, a);
  if (controller) {
    set_bool(ref, "controller", true, a);
    set_bool(ref, "blockOwnerDeletion", true, a);
  }
  refs.PushBack(ref, a);
  metadata.AddMember("ownerReferences", refs, a);
}

Val& add_metadata(Doc& d, const std::string& name, const std::string& ns) {
  auto& a = d.GetAllocator();
  Val& md = object_member(d, "metadata", a);
  set_string(md, "name", name, a);
  set_string(md, "namespace", ns, a);
  return md;
}

Val object_copy_at(const Val& v, std::initializer_list<std::string_view> path, Alloc& a) {
  Val out(rapidjson::kObjectType);
  if (const Val* x = find_path(v, path); x && x->IsObject()) out.CopyFrom(*x, a);
  return out;
}

Val& object_member(Val& obj, std::string_view key, Alloc& a) {
  Val* m = find(obj, key);
  if (m && m->IsObject()) return *m;
  if (m) {
    m->SetObject();
    return *m;
  }
  obj.AddMember(str(key, a), Val(rapidjson::kObjectType), a);
  return *find(obj, key);
}

void set_member(Val& obj, std::string_view key, Val value, Alloc& a) {
  if (Val* m = find(obj, key)) {
    *m = std::move(value);
    return;
  }
  obj.AddMember(str(key, a), value, a);
}

void set_string(Val& obj, std::string_view key, std::string_view s, Alloc& a) {
  set_member(obj, key, str(s, a), a);
}
void set_int(Val& obj, std::string_view key, int64_t n, Alloc& a) {
  set_member(obj, key, Val(n), a);
}
void set_bool(Val& obj, std::string_view key, bool b, Alloc& a) {
  set_member(obj, key, Val(b), a);
}

bool remove_member(Val& obj, std::string_view key) {
  if (!obj.IsObject()) return false;
  return obj.RemoveMember(Val(rapidjson::StringRef(key.data(), key.size())));
}

Val str(std::string_view s, Alloc& a) {
  return Val(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
}

std::string annotation(const Val& obj, std::string_view key) {
  const Val* a = find_path(obj, {"metadata", "annotations"});
  const Val* v = a ? find(*a, key) : nullptr;
  return v && v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : "";
}

std::string label(const Val& obj, std::string_view key) {
  const Val* a = find_path(obj, {"metadata", "labels"});
  const Val* v = a ? find(*a, key) : nullptr;
  return v && v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : "";
}

void set_annotation(Doc& d, std::string_view key, std::string_view value) {
  auto& a = d.GetAllocator();
  set_string(object_member(object_member(d, "metadata", a), "annotations", a), key, value, a);
}

void set_label(Doc& d, std::string_view key, std::string_view value) {
  auto& a = d.GetAllocator();
  set_string(object_member(object_member(d, "metadata", a), "labels", a), key, value, a);
}

std::string name_of(const Val& obj) {
  return get_string(obj, {"metadata", "name"});
}
std::string namespace_of(const Val& obj) {
  return get_string(obj, {"metadata", "namespace"});
}

namespace {

// `t` in UTC, formatted by strftime.
std::string format_utc(std::time_t t, const char* format) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

}  // namespace

std::string rfc3339(std::time_t t) {
  return format_utc(t, "%Y-%m-%dT%H:%M:%SZ");
}

std::time_t parse_rfc3339(const std::string& s) {
  std::tm tm{};
  if (std::sscanf(s.c_str(), "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec) != 6)
    return 0;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return timegm(&tm);
}

std::string name_time_suffix(std::time_t t) {
  return format_utc(t, "%Y-%m-%d-%H%M%S");
}

namespace {
std::mt19937_64& rng() {
  thread_local std::mt19937_64 g{std::random_device{}()};
  return g;
}
}  // namespace

std::string random_suffix(size_t n) {
  static const std::string alphabet = "bcdfghjklmnpqrstvwxz2456789";
  std::string s;
  for (size_t i = 0; i < n; ++i) s += alphabet[rng()() % alphabet.size()];
  return s;
}

std::string random_hex(size_t n) {
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) s += hex[rng()() % 16];
  return s;
}

uint64_t fnv1a(std::string_view s, uint64_t seed) {
  uint64_t h = seed;
  for (unsigned char ch : s) {
    h ^= ch;
    h *= 1099511628211ULL;
  }
  return h;
}

std::string safe_encode(uint64_t h, size_t n) {
  static const std::string alphabet = "bcdfghjklmnpqrstvwxz2456789";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s += alphabet[h % alphabet.size()];
    h /= alphabet.size();
    if (h == 0) h = fnv1a(s);
  }
  return s;
}

TypeRef resource(Cluster& c, const std::string& group, const std::string& plural) {
  return c.store().types().find(group, plural);
}

TypeRef stork_resource(Cluster& c, const std::string& plural) {
  return resource(c, kStorkGroup, plural);
}

Object create_object(Cluster& c, const ResourceType& r, Doc& obj, std::string* err) {
  std::string ns = r.namespaced ? namespace_of(obj) : "";
  try {
    Doc copy;
    copy.CopyFrom(obj, copy.GetAllocator());
    Object created = c.store().create(r, ns, std::move(copy));
    // Types with a status subresource drop status on create; a controller writes it next.
    const Val* status = find(obj, "status");
    if (r.status_subresource && status && status->IsObject() && status->MemberCount() > 0) {
      created = c.store().mutate(r, ns, name_of(*created), [&](Doc& d) {
        set_member(d, "status", Val(*status, d.GetAllocator()), d.GetAllocator());
        return true;
      });
    }
    return created;
  } catch (const StatusError& e) {
    if (err) *err = e.message;
    return nullptr;
  }
}

Object create_seeded(Cluster& c, const ResourceType& r, Doc&& obj, std::string* err) {
  std::string ns = r.namespaced ? namespace_of(obj) : "";
  try {
    if (c.store().find(r, ns, name_of(obj))) throw errors::already_exists(r, name_of(obj));
    return c.store().upsert(r, std::move(obj));
  } catch (const StatusError& e) {
    if (err) *err = e.message;
    return nullptr;
  }
}

bool modify_object(Cluster& c, const ResourceType& r, const std::string& ns, const std::string& name,
                   const std::function<bool(Doc&)>& fn, std::string* err) {
  bool changed = false;
  try {
    c.store().mutate(r, r.namespaced ? ns : "", name, [&](Doc& d) {
      Doc before;
      before.CopyFrom(d, before.GetAllocator());
      if (!fn(d) || d == before) return false;
      changed = true;
      return true;
    });
  } catch (const StatusError& e) {
    if (err) *err = e.message;
    return false;
  }
  return changed;
}

bool delete_object(Cluster& c, const ResourceType& r, const std::string& ns, const std::string& name) {
  try {
    c.store().remove(r, r.namespaced ? ns : "", name);
    return true;
  } catch (const StatusError&) {
    return false;
  }
}

Object get_object(Cluster& c, const ResourceType& r, const std::string& ns, const std::string& name) {
  return c.store().find(r, r.namespaced ? ns : "", name);
}

std::vector<Object> list_docs(Cluster& c, const ResourceType& r, const std::string& ns) {
  return c.store().items(r, r.namespaced ? ns : "");
}

bool is_type(const TypeRef& t, const char* group, const char* plural) {
  return t && t->group == group && t->plural == plural;
}

}  // namespace emu::sim
