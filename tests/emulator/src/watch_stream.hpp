// A live watch's queue and its filter (Store::watch): which events a watcher sees, and when a
// consumer too slow gets its watch ended. Not for use outside store*.cpp.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <vector>

#include "selectors.hpp"
#include "watch.hpp"

namespace emu {

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

  bool matches(const ResourceType& type, const rapidjson::Value& object) const {
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

}  // namespace emu
