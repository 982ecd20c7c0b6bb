// Store: one cluster's objects with kube-apiserver's REST semantics. See store.hpp; the inside is
// store_internal.hpp. This file: reads (get, list), history and persistence; the writes are in
// store_write.cpp (the verbs) and store_impl.cpp (under the lock), watches in store_watch.cpp.
#include <algorithm>

#include "continue_token.hpp"
#include "selectors.hpp"
#include "store_internal.hpp"

namespace emu {

using rapidjson::Document;
using rapidjson::Value;

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
