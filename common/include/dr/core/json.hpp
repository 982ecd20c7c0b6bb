// JSON as every layer handles it: parsing text that comes from outside the process (API server
// answers, exec plugin output, -f files), reading members of Kubernetes objects, writing strings.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>
#include <rapidjson/encodedstream.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

namespace dr::json {

// Deeper documents are refused. RapidJSON's default parser, CopyFrom, Accept (serializing), operator==
// and our printers all recurse once per level, so unbounded nesting from a hostile server or file
// would overflow the stack. Real Kubernetes objects are a few dozen levels deep.
inline constexpr std::size_t kMaxNesting = 1000;

// Offset of the first '[' or '{' (outside strings) that opens level max_depth + 1, or nullopt.
// Only looks at brackets and strings: malformed text is left for the parser to report.
std::optional<std::size_t> find_excess_nesting(std::string_view text, std::size_t max_depth = kMaxNesting);

// Parses `text` into `doc` within kMaxNesting (so with bounded recursion). nullopt on success, else
// "<what is wrong> at offset N" for messages. A NUL byte anywhere is refused. The document owns
// copies of all its strings (nothing points into `text`).
std::optional<std::string> parse_untrusted(rapidjson::Document& doc, std::string_view text);
// The same, parsing `text` in place: its contents are left undefined (no copy of a large answer).
std::optional<std::string> parse_untrusted_in_place(rapidjson::Document& doc, std::string& text);

// Hands `text`'s events to a RapidJSON SAX handler without recursion (the iterative parser), for
// readers that build or look at only part of a document. The handler's false ends the parse.
template <class Handler>
rapidjson::ParseResult read_events(std::string_view text, Handler& handler) {
  rapidjson::MemoryStream bytes(text.data(), text.size());
  rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> input(bytes);
  rapidjson::Reader reader;
  return reader.Parse<rapidjson::kParseIterativeFlag>(input, handler);
}

// "nesting deeper than 1000 levels"
std::string excess_nesting_message();

// ---- Reading values. Views point into the value, so they live exactly as long as it does. ----

// The member `key` of `object`, or nullptr when `object` is not an object or has no such member
// (the first one, when a hostile document repeats a key).
const rapidjson::Value* member(const rapidjson::Value& object, std::string_view key);
// The value at a dotted path ("spec.template.spec"), or nullptr when any step is missing.
const rapidjson::Value* at_path(const rapidjson::Value& object, std::string_view dotted_path);
// The string at `key`, or empty when absent or not a string.
std::string_view string_member(const rapidjson::Value& object, std::string_view key);
// An integer field that fits int64, or nullopt when absent/not an integer.
std::optional<std::int64_t> int_at(const rapidjson::Value& object, std::string_view dotted_path);
std::optional<bool> bool_at(const rapidjson::Value& object, std::string_view dotted_path);

// A Kubernetes object's metadata fields; empty when absent.
std::string_view object_name(const rapidjson::Value& object);
std::string_view object_namespace(const rapidjson::Value& object);
std::string_view resource_version(const rapidjson::Value& object);
std::string_view creation_timestamp(const rapidjson::Value& object);
// metadata.labels / metadata.annotations as objects, or nullptr when absent.
const rapidjson::Value* labels_of(const rapidjson::Value& object);
const rapidjson::Value* annotations_of(const rapidjson::Value& object);
// A string annotation, or nullopt when absent (an empty string value is present).
std::optional<std::string_view> annotation(const rapidjson::Value& object, std::string_view key);
// True when metadata.ownerReferences is present and non-empty (the object is managed by a parent).
bool has_owner_references(const rapidjson::Value& object);
// "ns/name", or "name" for cluster-scoped objects: the form kubectl's and storkctl's messages use.
std::string namespaced_name(const rapidjson::Value& object);

// ---- Writing strings ----

// Appends `text` as a JSON string literal, quotes included: the escapes RFC 8259 requires and no
// more (bodies we send to the API server).
void append_quoted(std::string& out, std::string_view text);
// The same as Go's encoding/json writes it (json.Marshal, so kubectl -o json): also <, > and & as
// \u003c..., U+2028/U+2029 escaped, and invalid UTF-8 as U+FFFD.
void append_go_quoted(std::string& out, std::string_view text);

}  // namespace dr::json
