// Store's verbs that write: create, update, patch, delete, and the in-process mutate and upsert.
// The checks of a request come first here; the write itself is Store::Impl's (store_impl.cpp).
#include <cstring>

#include "patch.hpp"
#include "store_internal.hpp"
#include "validation.hpp"

namespace emu {

using rapidjson::Document;
using rapidjson::Value;

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

}  // namespace emu
