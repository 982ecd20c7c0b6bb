#include "dr/cli/printer.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <ostream>

#include "dr/core/json.hpp"
#include "yaml_writer.hpp"

namespace dr::cli {

Result<OutputFormat> parse_output_format(std::string_view text, bool wide_allowed) {
  if (text.empty()) return OutputFormat::Table;
  if (text == "json") return OutputFormat::Json;
  if (text == "yaml") return OutputFormat::Yaml;
  if (text == "name") return OutputFormat::Name;
  if (text == "wide" && wide_allowed) return OutputFormat::Wide;
  // cli-runtime's NoCompatiblePrinterError, listing the formats we serve (sorted, comma-joined).
  return Error::usage(
      "unable to match a printer suitable for the output format \"" + std::string(text) +
      "\", allowed formats are: " + (wide_allowed ? "json,name,wide,yaml" : "json,name,yaml"));
}

std::size_t display_width(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(
      text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// --- tables ---

Table::Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}

void Table::add_row(std::vector<std::string> cells) {
  cells.resize(headers_.size());
  rows_.push_back(std::move(cells));
}

std::string Table::to_string(bool no_headers) const {
  std::vector<std::size_t> widths(headers_.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], display_width(row[i]));
  };
  if (!no_headers) measure(headers_);
  for (const auto& row : rows_) measure(row);
  std::string text;
  auto print = [&](const std::vector<std::string>& row) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line.append(widths[i] - display_width(row[i]) + 3, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    text += line;
    text += '\n';
  };
  if (!no_headers) print(headers_);
  for (const auto& row : rows_) print(row);
  return text;
}

void Table::render(std::ostream& out, bool no_headers) const {
  out << to_string(no_headers);
}

// --- JSON ---

namespace {

std::string_view string_of(const rapidjson::Value& v) {
  return {v.GetString(), v.GetStringLength()};
}

std::vector<const rapidjson::Value::Member*> byte_sorted_members(const rapidjson::Value& object) {
  std::vector<const rapidjson::Value::Member*> members;
  for (const auto& m : object.GetObject()) members.push_back(&m);
  std::stable_sort(members.begin(), members.end(),
                   [](const auto* a, const auto* b) { return string_of(a->name) < string_of(b->name); });
  return members;
}

void json_value(std::string& out, const rapidjson::Value& v, int depth) {
  const std::string indent(static_cast<std::size_t>(depth + 1) * 4, ' ');
  const std::string closing(static_cast<std::size_t>(depth) * 4, ' ');
  if (v.IsObject()) {
    if (v.MemberCount() == 0) {
      out += "{}";
      return;
    }
    out += "{\n";
    auto members = byte_sorted_members(v);
    for (std::size_t i = 0; i < members.size(); ++i) {
      out += indent;
      json::append_go_quoted(out, string_of(members[i]->name));
      out += ": ";
      json_value(out, members[i]->value, depth + 1);
      out += i + 1 < members.size() ? ",\n" : "\n";
    }
    out += closing + "}";
  } else if (v.IsArray()) {
    if (v.Empty()) {
      out += "[]";
      return;
    }
    out += "[\n";
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
      out += indent;
      json_value(out, v[i], depth + 1);
      out += i + 1 < v.Size() ? ",\n" : "\n";
    }
    out += closing + "]";
  } else if (v.IsString()) {
    json::append_go_quoted(out, string_of(v));
  } else if (v.IsBool()) {
    out += v.GetBool() ? "true" : "false";
  } else if (v.IsNull()) {
    out += "null";
  } else {
    out += yaml_detail::go_json_number(v);
  }
}

}  // namespace

namespace yaml_detail {

// encoding/json's float64: shortest round-trip digits, %e outside [1e-6, 1e21) with "e-07" cleaned
// to "e-7".
std::string go_json_float(double value) {
  if (!std::isfinite(value)) return "null";
  char buffer[64];
  double magnitude = std::fabs(value);
  std::to_chars_result result{};
  bool exponent = magnitude != 0 && (magnitude < 1e-6 || magnitude >= 1e21);
  result = std::to_chars(buffer, buffer + sizeof buffer, value,
                         exponent ? std::chars_format::scientific : std::chars_format::fixed);
  std::string text(buffer, result.ptr);
  if (exponent) {
    std::size_t n = text.size();
    if (n >= 4 && text[n - 4] == 'e' && text[n - 3] == '-' && text[n - 2] == '0') text.erase(n - 2, 1);
  }
  return text;
}

std::string go_json_number(const rapidjson::Value& v) {
  if (v.IsInt64()) return std::to_string(v.GetInt64());
  if (v.IsUint64()) return std::to_string(v.GetUint64());
  return go_json_float(v.GetDouble());
}

}  // namespace yaml_detail

std::string to_json(const rapidjson::Value& value) {
  std::string out;
  json_value(out, value, 0);
  out += '\n';
  return out;
}

void print_json(std::ostream& out, const rapidjson::Value& value) {
  out << to_json(value);
}

std::string to_yaml(const rapidjson::Value& value) {
  return yaml_detail::write_yaml(value);
}

void print_yaml(std::ostream& out, const rapidjson::Value& value) {
  out << to_yaml(value);
}

rapidjson::Document make_list(std::vector<rapidjson::Document>&& objects) {
  rapidjson::Document list(rapidjson::kObjectType);
  auto& a = list.GetAllocator();
  list.AddMember("apiVersion", "v1", a);
  rapidjson::Value items(rapidjson::kArrayType);
  for (auto& object : objects) {
    rapidjson::Value copy;
    copy.CopyFrom(object, a);
    items.PushBack(copy, a);
  }
  list.AddMember("items", items, a);
  list.AddMember("kind", "List", a);
  rapidjson::Value metadata(rapidjson::kObjectType);
  metadata.AddMember("resourceVersion", "", a);
  list.AddMember("metadata", metadata, a);
  return list;
}

std::string object_name_for_output(std::string_view kind, std::string_view api_version,
                                   std::string_view name) {
  std::string out;
  for (char c : kind) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto slash = api_version.find('/');
  if (slash != std::string_view::npos) {
    out += '.';
    out += api_version.substr(0, slash);
  }
  out += '/';
  out += name;
  return out;
}

std::string object_name_for_output(const rapidjson::Value& object) {
  return object_name_for_output(json::string_member(object, "kind"),
                                json::string_member(object, "apiVersion"), json::object_name(object));
}

Result<void> print_objects(std::ostream& out, OutputFormat format,
                           const std::vector<rapidjson::Document>& objects, bool as_list) {
  if (format == OutputFormat::Name) {
    for (const auto& object : objects) out << object_name_for_output(object) << '\n';
    return {};
  }
  if (format != OutputFormat::Json && format != OutputFormat::Yaml) {
    return Error::make(ErrorCode::Internal, "print_objects: tables are printed by the command");
  }
  auto print = [&](const rapidjson::Value& value) {
    if (format == OutputFormat::Json) {
      print_json(out, value);
    } else {
      print_yaml(out, value);
    }
  };
  if (objects.size() == 1 && !as_list) {
    print(objects.front());
    return {};
  }
  rapidjson::Document list(rapidjson::kObjectType);
  auto& a = list.GetAllocator();
  list.AddMember("apiVersion", "v1", a);
  rapidjson::Value items(rapidjson::kArrayType);
  for (const auto& object : objects) items.PushBack(rapidjson::Value(object, a), a);
  list.AddMember("items", items, a);
  list.AddMember("kind", "List", a);
  rapidjson::Value metadata(rapidjson::kObjectType);
  metadata.AddMember("resourceVersion", "", a);
  list.AddMember("metadata", metadata, a);
  print(list);
  return {};
}

}  // namespace dr::cli
