// Pieces the API client and discovery share; not part of the public API.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "dr/core/error.hpp"

namespace dr::kube::detail {

inline bool is_success(long status) {
  return status >= 200 && status < 300;
}

// Parses a response body, in place (callers move it in: no copy of a large answer); `what` names
// the request for the error ("get statefulsets.apps"). An empty body (204 No Content) is an empty
// object.
Result<rapidjson::Document> parse_json(std::string body, std::string_view what);

std::string serialize(const rapidjson::Value& value);

// One page of a list answer. items() is the page's array (never null: Go's null slice becomes []).
struct ListPage {
  rapidjson::Document document;
  std::string resource_version;
  std::string continue_token;
  rapidjson::Value& items() { return document["items"]; }
};
// A 2xx list body; `what` names the request ("list statefulsets.apps").
Result<ListPage> decode_list_page(std::string body, const std::string& what);

// A list body's metadata.continue, read from its head without decoding the items: kube-apiserver
// writes metadata before items. Empty when there is none, or when it is not found before "items"
// (then only the full decode knows).
std::string peek_continue_token(std::string_view body);

// One line of a watch stream with its event type ("ADDED", "MODIFIED", "DELETED").
struct WatchEvent {
  rapidjson::Document document;
  std::string type;
  rapidjson::Value& object() { return document["object"]; }
};
// nullopt for lines that carry nothing to hand on (bookmarks, events without type or object); an
// ERROR event is its embedded Status as an Error.
Result<std::optional<WatchEvent>> decode_watch_line(std::string_view line, const std::string& what);

}  // namespace dr::kube::detail
