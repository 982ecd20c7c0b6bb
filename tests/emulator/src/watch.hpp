// Change events and the watches that receive them (Store::watch, Store::subscribe).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "json.hpp"
#include "types.hpp"

namespace emu {

struct WatchEvent {
  enum class Type { Added, Modified, Deleted, Bookmark };
  Type type = Type::Added;
  std::uint64_t resource_version = 0;
  TypeRef resource;  // null for Bookmark
  Object object;     // the object after the change (before deletion for Deleted); null for Bookmark
};
const char* to_string(WatchEvent::Type type);

// Which events a watch or subscription wants.
struct WatchFilter {
  std::string type_key;        // ResourceType::key(); empty: every type
  std::string ns;              // empty: every namespace
  std::string name;            // empty: every name (fieldSelector metadata.name=...)
  std::string label_selector;  // as in ListOptions
  std::string field_selector;
};

// A live watch. Events are queued as they happen; next() waits for them.
class WatchStream {
 public:
  virtual ~WatchStream() = default;
  // Queued events, waiting up to `max_wait` for one. Empty when the wait timed out or the stream
  // was closed (closed() tells which).
  virtual std::vector<WatchEvent> next(std::chrono::milliseconds max_wait) = 0;
  virtual void close() = 0;
  virtual bool closed() const = 0;
};

using SubscriptionId = std::uint64_t;

}  // namespace emu
