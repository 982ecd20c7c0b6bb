// The scale subresource: an object's Scale, and a Scale written back to the object.
#include <algorithm>

#include "store_internal.hpp"
#include "validation.hpp"

namespace emu {

using rapidjson::Document;
using rapidjson::Value;

std::string Store::Impl::selector_text(const Value* selector) {
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

Document Store::Impl::make_scale(const ResourceType& type, const Value& object) {
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
    const Value* r = value_at_path(object, type.scale_paths.spec_replicas);
    spec_replicas = r != nullptr && r->IsInt64() ? r->GetInt64() : 0;
    const Value* sr = value_at_path(object, type.scale_paths.status_replicas);
    status_replicas = sr != nullptr && sr->IsInt64() ? sr->GetInt64() : 0;
    if (!type.scale_paths.label_selector.empty()) {
      const Value* sel = value_at_path(object, type.scale_paths.label_selector);
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

Object Store::Impl::write_scale(const TypeRef& type, const Object& old, const Value& scale, bool dry_run,
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

}  // namespace emu
