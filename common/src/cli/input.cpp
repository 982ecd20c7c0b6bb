#include "dr/cli/input.hpp"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include <rapidjson/error/en.h>

namespace dr::cli {

namespace {

bool plain_is_null(const std::string& s) { return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL"; }

// YAML 1.1/1.2 plain-scalar resolution as go-yaml does for the common cases Kubernetes uses.
rapidjson::Value scalar_value(const YAML::Node& node, rapidjson::Document::AllocatorType& a) {
  const std::string& s = node.Scalar();
  if (node.Tag() == "!" || node.Tag() == "tag:yaml.org,2002:str") return rapidjson::Value(s.c_str(), static_cast<rapidjson::SizeType>(s.size()), a);
  if (plain_is_null(s)) return rapidjson::Value(rapidjson::kNullType);
  if (s == "true" || s == "True" || s == "TRUE") return rapidjson::Value(true);
  if (s == "false" || s == "False" || s == "FALSE") return rapidjson::Value(false);
  {
    long long integer = 0;
    auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), integer);
    if (error == std::errc() && end == s.data() + s.size()) return rapidjson::Value(static_cast<int64_t>(integer));
  }
  if (s.find_first_of("0123456789") != std::string::npos && s.find_first_not_of("0123456789+-.eE") == std::string::npos) {
    char* end = nullptr;
    errno = 0;
    double d = std::strtod(s.c_str(), &end);
    if (errno == 0 && end == s.c_str() + s.size()) return rapidjson::Value(d);
  }
  return rapidjson::Value(s.c_str(), static_cast<rapidjson::SizeType>(s.size()), a);
}

rapidjson::Value to_json(const YAML::Node& node, rapidjson::Document::AllocatorType& a, int depth) {
  if (depth > 200) throw YAML::Exception(node.Mark(), "document nested too deeply");
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return rapidjson::Value(rapidjson::kNullType);
    case YAML::NodeType::Scalar:
      return scalar_value(node, a);
    case YAML::NodeType::Sequence: {
      rapidjson::Value array(rapidjson::kArrayType);
      for (const auto& item : node) array.PushBack(to_json(item, a, depth + 1), a);
      return array;
    }
    case YAML::NodeType::Map: {
      rapidjson::Value object(rapidjson::kObjectType);
      for (const auto& entry : node) {
        const std::string key = entry.first.as<std::string>();
        object.AddMember(rapidjson::Value(key.c_str(), static_cast<rapidjson::SizeType>(key.size()), a),
                         to_json(entry.second, a, depth + 1), a);
      }
      return object;
    }
  }
  return rapidjson::Value(rapidjson::kNullType);
}

// A List expands into its items; anything else is one object.
Status add_objects(rapidjson::Document document, std::vector<rapidjson::Document>& out, std::string_view source) {
  if (document.IsNull()) return {};  // an empty YAML document
  if (!document.IsObject()) {
    return Error::usage("error parsing " + std::string(source) + ": expected an object, found another JSON value");
  }
  auto kind = document.FindMember("kind");
  auto items = document.FindMember("items");
  bool is_list = kind != document.MemberEnd() && kind->value.IsString() &&
                 std::string_view(kind->value.GetString()).size() >= 4 &&
                 std::string_view(kind->value.GetString()).substr(std::string_view(kind->value.GetString()).size() - 4) == "List";
  if (is_list && items != document.MemberEnd() && items->value.IsArray()) {
    for (auto& item : items->value.GetArray()) {
      rapidjson::Document copy;
      copy.CopyFrom(item, copy.GetAllocator());
      if (auto added = add_objects(std::move(copy), out, source); !added) return added;
    }
    return {};
  }
  out.push_back(std::move(document));
  return {};
}

}  // namespace

Result<std::vector<rapidjson::Document>> read_objects(std::string_view text, std::string_view source) {
  std::vector<rapidjson::Document> objects;
  std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return objects;
  if (text[first] == '{' || text[first] == '[') {
    // JSON: one value or a whitespace-separated stream of them.
    std::string buffer(text);
    std::size_t offset = first;
    while (offset < buffer.size()) {
      rapidjson::Document document;
      rapidjson::StringStream stream(buffer.c_str() + offset);
      document.ParseStream<rapidjson::kParseStopWhenDoneFlag>(stream);
      if (document.HasParseError()) {
        return Error::usage("error parsing " + std::string(source) + ": " +
                            rapidjson::GetParseError_En(document.GetParseError()) + " at offset " +
                            std::to_string(offset + document.GetErrorOffset()));
      }
      offset += stream.Tell();
      if (document.IsArray()) {
        for (auto& item : document.GetArray()) {
          rapidjson::Document copy;
          copy.CopyFrom(item, copy.GetAllocator());
          if (auto added = add_objects(std::move(copy), objects, source); !added) return std::move(added).error();
        }
      } else if (auto added = add_objects(std::move(document), objects, source); !added) {
        return std::move(added).error();
      }
      offset = buffer.find_first_not_of(" \t\r\n", offset);
      if (offset == std::string::npos) break;
    }
    return objects;
  }
  try {
    for (const auto& node : YAML::LoadAll(std::string(text))) {
      rapidjson::Document document;
      rapidjson::Value value = to_json(node, document.GetAllocator(), 0);
      static_cast<rapidjson::Value&>(document) = value;
      if (auto added = add_objects(std::move(document), objects, source); !added) return std::move(added).error();
    }
  } catch (const YAML::Exception& e) {
    return Error::usage("error parsing " + std::string(source) + ": line " + std::to_string(e.mark.line + 1) + ": " +
                        e.msg);
  }
  return objects;
}

Result<std::string> read_file_or_stdin(const std::string& path) {
  if (path == "-") return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  std::ifstream file(path, std::ios::binary);
  if (!file) return Error::usage("the path \"" + path + "\" does not exist or cannot be read: " + std::strerror(errno));
  std::ostringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

}  // namespace dr::cli
