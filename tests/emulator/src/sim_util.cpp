#include "sim_util.hpp"

#include <random>

namespace emu::sim {

bool parseJson(std::string_view text, Doc& out) {
  out.Parse(text.data(), text.size());
  return !out.HasParseError();
}

Doc parse(std::string_view text) {
  Doc d;
  if (!parseJson(text, d) || !d.IsObject()) d.SetObject();
  return d;
}

std::string toJson(const Val& v) {
  return to_json(v);
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

const Val* findPath(const Val& v, std::initializer_list<std::string_view> path) {
  const Val* cur = &v;
  for (auto k : path) {
    cur = find(*cur, k);
    if (!cur) return nullptr;
  }
  return cur;
}

std::string getString(const Val& v, std::initializer_list<std::string_view> path, std::string def) {
  const Val* x = findPath(v, path);
  return x && x->IsString() ? std::string(x->GetString(), x->GetStringLength()) : def;
}

int64_t getInt(const Val& v, std::initializer_list<std::string_view> path, int64_t def) {
  const Val* x = findPath(v, path);
  return x && x->IsInt64() ? x->GetInt64() : def;
}

bool getBool(const Val& v, std::initializer_list<std::string_view> path, bool def) {
  const Val* x = findPath(v, path);
  return x && x->IsBool() ? x->GetBool() : def;
}

Val& objectMember(Val& obj, std::string_view key, Alloc& a) {
  Val* m = find(obj, key);
  if (m && m->IsObject()) return *m;
  if (m) {
    m->SetObject();
    return *m;
  }
  obj.AddMember(str(key, a), Val(rapidjson::kObjectType), a);
  return *find(obj, key);
}

void setMember(Val& obj, std::string_view key, Val value, Alloc& a) {
  if (Val* m = find(obj, key)) {
    *m = std::move(value);
    return;
  }
  obj.AddMember(str(key, a), value, a);
}

void setString(Val& obj, std::string_view key, std::string_view s, Alloc& a) {
  setMember(obj, key, str(s, a), a);
}
void setInt(Val& obj, std::string_view key, int64_t n, Alloc& a) {
  setMember(obj, key, Val(n), a);
}
void setBool(Val& obj, std::string_view key, bool b, Alloc& a) {
  setMember(obj, key, Val(b), a);
}

bool removeMember(Val& obj, std::string_view key) {
  if (!obj.IsObject()) return false;
  return obj.RemoveMember(Val(rapidjson::StringRef(key.data(), key.size())));
}

Val str(std::string_view s, Alloc& a) {
  return Val(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
}

std::string annotation(const Val& obj, std::string_view key) {
  const Val* a = findPath(obj, {"metadata", "annotations"});
  const Val* v = a ? find(*a, key) : nullptr;
  return v && v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : "";
}

std::string label(const Val& obj, std::string_view key) {
  const Val* a = findPath(obj, {"metadata", "labels"});
  const Val* v = a ? find(*a, key) : nullptr;
  return v && v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : "";
}

void setAnnotation(Doc& d, std::string_view key, std::string_view value) {
  auto& a = d.GetAllocator();
  setString(objectMember(objectMember(d, "metadata", a), "annotations", a), key, value, a);
}

void setLabel(Doc& d, std::string_view key, std::string_view value) {
  auto& a = d.GetAllocator();
  setString(objectMember(objectMember(d, "metadata", a), "labels", a), key, value, a);
}

std::string nameOf(const Val& obj) {
  return getString(obj, {"metadata", "name"});
}
std::string namespaceOf(const Val& obj) {
  return getString(obj, {"metadata", "namespace"});
}

std::string rfc3339(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string nowRfc3339() {
  return rfc3339(std::time(nullptr));
}

std::time_t parseRfc3339(const std::string& s) {
  std::tm tm{};
  if (std::sscanf(s.c_str(), "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec) != 6)
    return 0;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return timegm(&tm);
}

std::string nameTimeSuffix(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d-%H%M%S", &tm);
  return buf;
}

namespace {
std::mt19937_64& rng() {
  thread_local std::mt19937_64 g{std::random_device{}()};
  return g;
}
}  // namespace

std::string randomSuffix(size_t n) {
  static const std::string alphabet = "bcdfghjklmnpqrstvwxz2456789";
  std::string s;
  for (size_t i = 0; i < n; ++i) s += alphabet[rng()() % alphabet.size()];
  return s;
}

std::string randomHex(size_t n) {
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

std::string safeEncode(uint64_t h, size_t n) {
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

TypeRef storkResource(Cluster& c, const std::string& plural) {
  return resource(c, kStorkGroup, plural);
}

Object createObject(Cluster& c, const ResourceType& r, Doc& obj, std::string* err) {
  std::string ns = r.namespaced ? namespaceOf(obj) : "";
  try {
    Doc copy;
    copy.CopyFrom(obj, copy.GetAllocator());
    Object created = c.store().create(r, ns, std::move(copy));
    // Types with a status subresource drop status on create; a controller writes it next.
    const Val* status = find(obj, "status");
    if (r.status_subresource && status && status->IsObject() && status->MemberCount() > 0) {
      created = c.store().mutate(r, ns, nameOf(*created), [&](Doc& d) {
        setMember(d, "status", Val(*status, d.GetAllocator()), d.GetAllocator());
        return true;
      });
    }
    return created;
  } catch (const StatusError& e) {
    if (err) *err = e.message;
    return nullptr;
  }
}

Object createSeeded(Cluster& c, const ResourceType& r, Doc&& obj, std::string* err) {
  std::string ns = r.namespaced ? namespaceOf(obj) : "";
  try {
    if (c.store().find(r, ns, nameOf(obj))) throw errors::already_exists(r, nameOf(obj));
    return c.store().upsert(r, std::move(obj));
  } catch (const StatusError& e) {
    if (err) *err = e.message;
    return nullptr;
  }
}

bool modifyObject(Cluster& c, const ResourceType& r, const std::string& ns, const std::string& name,
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

bool deleteObject(Cluster& c, const ResourceType& r, const std::string& ns, const std::string& name) {
  try {
    c.store().remove(r, r.namespaced ? ns : "", name);
    return true;
  } catch (const StatusError&) {
    return false;
  }
}

Object getObject(Cluster& c, const ResourceType& r, const std::string& ns, const std::string& name) {
  return c.store().find(r, r.namespaced ? ns : "", name);
}

std::vector<Object> listDocs(Cluster& c, const ResourceType& r, const std::string& ns) {
  return c.store().items(r, r.namespaced ? ns : "");
}

bool isType(const TypeRef& t, const char* group, const char* plural) {
  return t && t->group == group && t->plural == plural;
}

}  // namespace emu::sim
