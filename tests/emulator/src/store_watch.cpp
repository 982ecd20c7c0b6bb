// Watches and subscriptions: a watch from a resourceVersion (or from now, with the current
// objects first), and controllers' subscriptions on threads of their own.
#include <cstdlib>

#include "store_internal.hpp"

namespace emu {

using rapidjson::Document;
using rapidjson::Value;

namespace {

std::string quote(const std::string& s) {
  return "\"" + s + "\"";
}

}  // namespace

const char* to_string(WatchEvent::Type type) {
  switch (type) {
    case WatchEvent::Type::Added:
      return "ADDED";
    case WatchEvent::Type::Modified:
      return "MODIFIED";
    case WatchEvent::Type::Deleted:
      return "DELETED";
    case WatchEvent::Type::Bookmark:
      return "BOOKMARK";
  }
  return "ERROR";
}

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

}  // namespace emu
