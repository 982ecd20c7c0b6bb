#include "dr/cli/objects_input.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>

#include <rapidjson/error/en.h>

#include "dr/core/json.hpp"
#include "yaml_writer.hpp"

namespace dr::cli {

namespace {

using Allocator = rapidjson::Document::AllocatorType;

Error decode_error(std::string_view source, const std::string& what) {
  return Error::make(ErrorCode::Decode, "error parsing " + std::string(source) + ": " + what);
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// strconv.ParseInt(text, 0, 64) / ParseUint for a YAML plain scalar (underscores already removed).
bool parse_go_integer(const std::string& text, rapidjson::Value& out) {
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  } else if (s.size() > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
    base = 8;
    s.remove_prefix(2);
  } else if (s.size() > 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
    base = 2;
    s.remove_prefix(2);
  } else if (s.size() > 1 && s[0] == '0') {
    base = 8;
    s.remove_prefix(1);
  }
  if (s.empty() || s[0] == '+' || s[0] == '-') return false;
  std::uint64_t magnitude = 0;
  auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), magnitude, base);
  if (error != std::errc() || end != s.data() + s.size()) return false;
  if (!negative) {
    if (magnitude <= static_cast<std::uint64_t>(INT64_MAX)) {
      out.SetInt64(static_cast<std::int64_t>(magnitude));
    } else {
      out.SetUint64(magnitude);
    }
    return true;
  }
  if (magnitude > static_cast<std::uint64_t>(INT64_MAX) + 1) return false;
  out.SetInt64(magnitude == static_cast<std::uint64_t>(INT64_MAX) + 1
                   ? INT64_MIN
                   : -static_cast<std::int64_t>(magnitude));
  return true;
}

// A plain (unquoted, untagged) scalar as go-yaml v2 resolves it, then as sigs.k8s.io/yaml turns it
// into JSON: null, bool (YAML 1.1 words too), int, float; timestamps and everything else stay strings.
rapidjson::Value plain_scalar(const std::string& s, Allocator& a) {
  rapidjson::Value string(s.c_str(), static_cast<rapidjson::SizeType>(s.size()), a);
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL")
    return rapidjson::Value(rapidjson::kNullType);
  static const char* kTrue[] = {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"};
  static const char* kFalse[] = {"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"};
  for (const char* word : kTrue) {
    if (s == word) return rapidjson::Value(true);
  }
  for (const char* word : kFalse) {
    if (s == word) return rapidjson::Value(false);
  }
  char first = s[0];
  if (first != '+' && first != '-' && first != '.' && !is_digit(first)) return string;
  if (first == '.' || (s.size() > 1 && s[1] == '.')) {
    if (s == ".inf" || s == ".Inf" || s == ".INF" || s == "+.inf" || s == "+.Inf" || s == "+.INF" ||
        s == "-.inf" || s == "-.Inf" || s == "-.INF" || s == ".nan" || s == ".NaN" || s == ".NAN") {
      return string;  // JSON has no infinities or NaN: keep the text
    }
  }
  if (yaml_detail::resolves_to_non_string(s) && !(is_digit(first) && s.size() > 4 && s[4] == '-')) {
    std::string plain;
    for (char c : s) {
      if (c != '_') plain += c;
    }
    rapidjson::Value number;
    if (first != '.' && parse_go_integer(plain, number)) return number;
    char* end = nullptr;
    errno = 0;
    double d = std::strtod(plain.c_str(), &end);
    if (end == plain.c_str() + plain.size() && std::isfinite(d)) return rapidjson::Value(d);
  }
  return string;
}

// What converting one YAML text may produce. Aliases share nodes in yaml-cpp but become copies in
// JSON, so a few hundred bytes of nested aliases ("billion laughs") would expand exponentially;
// like go-yaml's alias limit, a document may expand only a few times past its own size.
struct ExpansionBudget {
  std::size_t nodes;
  std::size_t bytes;
  explicit ExpansionBudget(std::size_t text_size)
      : nodes(4 * text_size + 100000), bytes(4 * text_size + (16u << 20)) {}
  void spend(const YAML::Node& node, std::size_t scalar_bytes) {
    if (nodes == 0 || scalar_bytes > bytes)
      throw YAML::ParserException(node.Mark(), "document contains excessive aliasing");
    --nodes;
    bytes -= scalar_bytes;
  }
};

rapidjson::Value to_json(const YAML::Node& node, Allocator& a, int depth, ExpansionBudget& budget) {
  if (depth > 200) throw YAML::ParserException(node.Mark(), "document nested too deeply");
  budget.spend(node, node.IsScalar() ? node.Scalar().size() : 0);
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return rapidjson::Value(rapidjson::kNullType);
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      if (node.Tag() == "?") return plain_scalar(s, a);
      if (node.Tag() == "tag:yaml.org,2002:int" || node.Tag() == "tag:yaml.org,2002:float" ||
          node.Tag() == "tag:yaml.org,2002:bool" || node.Tag() == "tag:yaml.org,2002:null") {
        return plain_scalar(s, a);
      }
      return rapidjson::Value(s.c_str(), static_cast<rapidjson::SizeType>(s.size()), a);  // quoted or !!str
    }
    case YAML::NodeType::Sequence: {
      rapidjson::Value array(rapidjson::kArrayType);
      for (const auto& item : node) array.PushBack(to_json(item, a, depth + 1, budget), a);
      return array;
    }
    case YAML::NodeType::Map: {
      rapidjson::Value object(rapidjson::kObjectType);
      for (const auto& entry : node) {
        if (!entry.first.IsScalar() && !entry.first.IsNull()) {
          throw YAML::ParserException(entry.first.Mark(), "a mapping key must be a scalar");
        }
        std::string key = entry.first.IsNull() ? std::string("null") : entry.first.Scalar();
        budget.spend(entry.first, key.size());
        if (entry.first.Tag() == "?") {
          // sigs.k8s.io/yaml turns non-string keys into their text: `on:` -> "true", `1:` -> "1".
          rapidjson::Value resolved = plain_scalar(key, a);
          if (resolved.IsBool())
            key = resolved.GetBool() ? "true" : "false";
          else if (resolved.IsNull())
            key = "null";
          else if (resolved.IsInt64())
            key = std::to_string(resolved.GetInt64());
          else if (resolved.IsUint64())
            key = std::to_string(resolved.GetUint64());
          else if (resolved.IsDouble())
            key = yaml_detail::go_yaml_float(resolved.GetDouble());
        }
        rapidjson::Value value = to_json(entry.second, a, depth + 1, budget);
        // go-yaml keeps the last of duplicate keys
        auto existing = object.FindMember(key.c_str());
        if (existing != object.MemberEnd()) {
          existing->value = value;
        } else {
          object.AddMember(rapidjson::Value(key.c_str(), static_cast<rapidjson::SizeType>(key.size()), a),
                           value, a);
        }
      }
      return object;
    }
  }
  return rapidjson::Value(rapidjson::kNullType);
}

bool is_list(const rapidjson::Value& document) {
  auto kind = document.FindMember("kind");
  auto items = document.FindMember("items");
  if (kind == document.MemberEnd() || !kind->value.IsString()) return false;
  std::string_view k(kind->value.GetString(), kind->value.GetStringLength());
  return k.size() >= 4 && k.substr(k.size() - 4) == "List" && items != document.MemberEnd() &&
         (items->value.IsArray() || items->value.IsNull());
}

// A List expands into its items (recursively); anything else must be one object.
Result<void> add_objects(rapidjson::Value& value, std::vector<rapidjson::Document>& out,
                         std::string_view source) {
  if (value.IsNull()) return {};  // an empty YAML document
  if (!value.IsObject()) {
    return decode_error(source,
                        std::string("expected an object, found ") + (value.IsArray()    ? "a list"
                                                                     : value.IsString() ? "a string"
                                                                                        : "a scalar value"));
  }
  if (is_list(value)) {
    auto& items = value["items"];
    if (items.IsNull()) return {};
    for (auto& item : items.GetArray()) {
      if (auto added = add_objects(item, out, source); !added) return added;
    }
    return {};
  }
  rapidjson::Document copy;
  copy.CopyFrom(value, copy.GetAllocator());
  out.push_back(std::move(copy));
  return {};
}

std::string line_and_column(std::string_view text, std::size_t offset) {
  std::size_t line = 1;
  std::size_t column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

Result<std::vector<rapidjson::Document>> read_json_stream(std::string_view text, std::size_t first,
                                                          std::string_view source) {
  std::vector<rapidjson::Document> objects;
  if (auto deep = json::find_excess_nesting(text.substr(first))) {
    return decode_error(source,
                        json::excess_nesting_message() + " (" + line_and_column(text, first + *deep) + ")");
  }
  const std::string buffer(text);
  std::size_t offset = first;
  while (offset < buffer.size()) {
    rapidjson::Document document;
    rapidjson::StringStream stream(buffer.c_str() + offset);
    document.ParseStream<rapidjson::kParseStopWhenDoneFlag | rapidjson::kParseIterativeFlag>(stream);
    if (document.HasParseError()) {
      return decode_error(source, std::string(rapidjson::GetParseError_En(document.GetParseError())) + " (" +
                                      line_and_column(text, offset + document.GetErrorOffset()) + ")");
    }
    offset += stream.Tell();
    if (document.IsArray()) {
      for (auto& item : document.GetArray()) {
        if (auto added = add_objects(item, objects, source); !added) return std::move(added).error();
      }
    } else if (auto added = add_objects(document, objects, source); !added) {
      return std::move(added).error();
    }
    offset = buffer.find_first_not_of(" \t\r\n", offset);
    if (offset == std::string::npos) break;
    if (buffer[offset] != '{' && buffer[offset] != '[') {
      return decode_error(source, "invalid character '" + std::string(1, buffer[offset]) +
                                      "' looking for beginning of value (" + line_and_column(text, offset) +
                                      ")");
    }
  }
  return objects;
}

// yaml-cpp 0.7's LoadAll never returns on some invalid streams ("," or ",a" at the top level): the
// parser reports an empty document without consuming the offending token, again and again (fixed
// upstream in yaml-cpp 0.8.1, jbeder/yaml-cpp#1319). This pass walks the same event stream and stops
// where a document is empty at the very place the previous one was, which no valid stream does.
class StuckDocumentGuard final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark&) override { depth_ = 0; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override {
    if (depth_ != 0) return;
    if (last_empty_root_ && last_empty_root_->pos == mark.pos)
      throw YAML::ParserException(mark, "did not find expected node content");
    last_empty_root_ = mark;
  }
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    ++depth_;
  }
  void OnSequenceEnd() override { --depth_; }
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    ++depth_;
  }
  void OnMapEnd() override { --depth_; }

 private:
  int depth_ = 0;
  std::optional<YAML::Mark> last_empty_root_;
};

void reject_stuck_yaml(const std::string& text) {
  std::istringstream stream(text);
  YAML::Parser parser(stream);
  StuckDocumentGuard guard;
  while (parser.HandleNextDocument(guard)) {
  }
}

}  // namespace

Result<std::vector<rapidjson::Document>> read_objects(std::string_view text, std::string_view source) {
  std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return std::vector<rapidjson::Document>{};
  if (text[first] == '{' || text[first] == '[') return read_json_stream(text, first, source);
  std::vector<rapidjson::Document> objects;
  try {
    ExpansionBudget budget(text.size());
    const std::string yaml(text);
    reject_stuck_yaml(yaml);
    for (const auto& node : YAML::LoadAll(yaml)) {
      rapidjson::Document document;
      rapidjson::Value value = to_json(node, document.GetAllocator(), 0, budget);
      if (auto added = add_objects(value, objects, source); !added) return std::move(added).error();
    }
  } catch (const YAML::Exception& e) {
    std::string where = e.mark.is_null() ? std::string()
                                         : "line " + std::to_string(e.mark.line + 1) + ", column " +
                                               std::to_string(e.mark.column + 1) + ": ";
    return decode_error(source, "error converting YAML to JSON: yaml: " + where + e.msg);
  }
  return objects;
}

Result<std::string> read_bounded(std::istream& in, std::string_view source) {
  std::string text;
  char buffer[64 * 1024];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxInputBytes) {
      return Error::make(ErrorCode::Decode, "error reading " + std::string(source) + ": more than " +
                                                std::to_string(kMaxInputBytes >> 20) + " MiB of input");
    }
  }
  if (in.bad()) return Error::make(ErrorCode::Decode, "error reading " + std::string(source));
  return text;
}

Result<std::string> read_file_or_stdin(const std::string& path) {
  if (path == "-") {
    auto text = read_bounded(std::cin, "standard input");
    if (!text) return std::move(text).error();
    return text;
  }
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return Error::make(ErrorCode::Decode, "the path \"" + path + "\" does not exist");
  }
  if (std::filesystem::is_directory(path, ec)) {
    return Error::make(ErrorCode::Decode, "the path \"" + path + "\" is a directory");
  }
  std::ifstream file(path, std::ios::binary);
  if (!file)
    return Error::make(ErrorCode::Decode,
                       "the path \"" + path + "\" cannot be read: " + std::strerror(errno));
  return read_bounded(file, "\"" + path + "\"");
}

namespace {

// The manifests of a directory, in name order; with `recursive` its subdirectories' after its own
// files, each in name order.
Result<void> manifests_in(const std::string& directory, bool recursive, std::vector<std::string>& files) {
  std::error_code ec;
  std::vector<std::string> here;
  std::vector<std::string> subdirectories;
  for (const auto& entry : std::filesystem::directory_iterator(directory, ec)) {
    auto ext = entry.path().extension().string();
    if (recursive && entry.is_directory(ec)) {
      subdirectories.push_back(entry.path().string());
    } else if (entry.is_regular_file(ec) && (ext == ".json" || ext == ".yaml" || ext == ".yml")) {
      here.push_back(entry.path().string());
    }
  }
  if (ec) return Error::make(ErrorCode::Decode, "reading directory \"" + directory + "\": " + ec.message());
  std::sort(here.begin(), here.end());
  std::sort(subdirectories.begin(), subdirectories.end());
  files.insert(files.end(), here.begin(), here.end());
  for (const auto& subdirectory : subdirectories) DR_TRY(manifests_in(subdirectory, recursive, files));
  return {};
}

}  // namespace

Result<std::vector<rapidjson::Document>> read_objects_from(const std::vector<std::string>& filenames,
                                                           bool recursive) {
  std::vector<rapidjson::Document> all;
  bool stdin_used = false;
  auto read_one = [&](const std::string& path) -> Result<void> {
    auto text = read_file_or_stdin(path);
    if (!text) return std::move(text).error();
    auto objects = read_objects(*text, path);
    if (!objects) return std::move(objects).error();
    for (auto& object : *objects) all.push_back(std::move(object));
    return {};
  };
  for (const auto& name : filenames) {
    if (name == "-") {
      if (stdin_used) return Error::usage("standard input (-f -) can be read only once");
      stdin_used = true;
    }
    std::error_code ec;
    if (name != "-" && std::filesystem::is_directory(name, ec)) {
      std::vector<std::string> files;
      DR_TRY(manifests_in(name, recursive, files));
      for (const auto& file : files) DR_TRY(read_one(file));
      continue;
    }
    DR_TRY(read_one(name));
  }
  return all;
}

Result<std::string> namespace_for_object(const rapidjson::Value& object, const std::string& command_namespace,
                                         bool namespace_explicit) {
  std::string own;
  if (object.IsObject()) {
    auto metadata = object.FindMember("metadata");
    if (metadata != object.MemberEnd() && metadata->value.IsObject()) {
      auto ns = metadata->value.FindMember("namespace");
      if (ns != metadata->value.MemberEnd() && ns->value.IsString())
        own.assign(ns->value.GetString(), ns->value.GetStringLength());
    }
  }
  if (own.empty()) return command_namespace;
  if (namespace_explicit && own != command_namespace) {
    // kubectl's words, and like kubectl no usage hint: the command line is valid, the object disagrees.
    return Error::make(ErrorCode::Decode, "the namespace from the provided object \"" + own +
                                              "\" does not match the namespace \"" + command_namespace +
                                              "\". You must pass '--namespace=" + own +
                                              "' to perform this operation.");
  }
  return own;
}

}  // namespace dr::cli
