// CustomResourceDefinitions in the store: a CRD's status as the apiextensions controllers fill it,
// and the types it serves, added and removed with it.
#include <algorithm>

#include "store_internal.hpp"

namespace emu {

using rapidjson::Document;
using rapidjson::Value;

void Store::Impl::prepare_crd(Document& crd) {
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

void Store::Impl::serve_crd(const Value& crd) {
  const std::string group = str_at(crd, {"spec", "group"});
  const std::string plural = str_at(crd, {"spec", "names", "plural"});
  self.types().remove(group, plural);
  for (auto& t : types_from_crd(crd)) self.types().add(std::move(t));
}

void Store::Impl::unserve_crd(const Value& crd) {
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

}  // namespace emu
