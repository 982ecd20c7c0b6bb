#include "dr/cli/output.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <ostream>
#include <sstream>

namespace dr::cli {

Result<OutputFormat> parse_output_format(std::string_view text, bool wide_allowed) {
  if (text.empty()) return OutputFormat::Table;
  if (text == "json") return OutputFormat::Json;
  if (text == "yaml") return OutputFormat::Yaml;
  if (text == "name") return OutputFormat::Name;
  if (text == "wide" && wide_allowed) return OutputFormat::Wide;
  return Error::usage("unable to match a printer suitable for the output format \"" + std::string(text) +
                      "\", allowed formats are: " + (wide_allowed ? "json,name,wide,yaml" : "json,name,yaml"));
}

namespace {

// Display width: UTF-8 code points (continuation bytes do not count).
std::size_t width(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

}  // namespace

Table::Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}

void Table::add_row(std::vector<std::string> cells) {
  cells.resize(headers_.size());
  rows_.push_back(std::move(cells));
}

void Table::render(std::ostream& out, bool no_headers) const {
  std::vector<std::size_t> widths(headers_.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], width(row[i]));
  };
  if (!no_headers) measure(headers_);
  for (const auto& row : rows_) measure(row);
  auto print = [&](const std::vector<std::string>& row) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line.append(widths[i] - width(row[i]) + 3, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << '\n';
  };
  if (!no_headers) print(headers_);
  for (const auto& row : rows_) print(row);
}

namespace {

// Go's encoding/json string escaping (HTML-safe, as json.Marshal does).
void append_go_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    switch (c) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      case '<': case '>': case '&':
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 15];
        continue;
      default: break;
    }
    if (c < 0x20) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else if (c == 0xE2 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x80 &&
               (static_cast<unsigned char>(text[i + 2]) == 0xA8 || static_cast<unsigned char>(text[i + 2]) == 0xA9)) {
      out += static_cast<unsigned char>(text[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

// Go's float formatting for JSON: shortest round-trip, exponent only outside [1e-6, 1e21).
std::string go_float(double value) {
  char buffer[64];
  double magnitude = std::fabs(value);
  std::to_chars_result result{};
  if (magnitude != 0 && (magnitude < 1e-6 || magnitude >= 1e21)) {
    result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  } else {
    result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed);
  }
  return std::string(buffer, result.ptr);
}

std::string number_text(const rapidjson::Value& v) {
  if (v.IsInt64()) return std::to_string(v.GetInt64());
  if (v.IsUint64()) return std::to_string(v.GetUint64());
  return go_float(v.GetDouble());
}

std::vector<const rapidjson::Value::Member*> sorted_members(const rapidjson::Value& object) {
  std::vector<const rapidjson::Value::Member*> members;
  for (const auto& m : object.GetObject()) members.push_back(&m);
  std::sort(members.begin(), members.end(), [](const auto* a, const auto* b) {
    return std::string_view(a->name.GetString(), a->name.GetStringLength()) <
           std::string_view(b->name.GetString(), b->name.GetStringLength());
  });
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
    auto members = sorted_members(v);
    for (std::size_t i = 0; i < members.size(); ++i) {
      out += indent;
      append_go_json_string(out, std::string_view(members[i]->name.GetString(), members[i]->name.GetStringLength()));
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
    append_go_json_string(out, std::string_view(v.GetString(), v.GetStringLength()));
  } else if (v.IsBool()) {
    out += v.GetBool() ? "true" : "false";
  } else if (v.IsNull()) {
    out += "null";
  } else {
    out += number_text(v);
  }
}

// --- YAML, laid out as go-yaml v2 (what kubectl -o yaml uses) ---

bool is_yaml_special_word(std::string_view s) {
  static const char* words[] = {"true", "True", "TRUE", "false", "False", "FALSE", "yes", "Yes", "YES", "no", "No",
                                "NO", "on", "On", "ON", "off", "Off", "OFF", "y", "Y", "n", "N", "null", "Null",
                                "NULL", "~", ".inf", ".Inf", ".INF", "-.inf", "+.inf", ".nan", ".NaN", ".NAN", "<<"};
  return std::any_of(std::begin(words), std::end(words), [&](const char* w) { return s == w; });
}

bool looks_numeric(std::string_view s) {
  if (s.empty()) return false;
  std::size_t i = 0;
  if (s[0] == '+' || s[0] == '-') i = 1;
  if (i >= s.size()) return false;
  if (s.substr(i).rfind("0x", 0) == 0 || s.substr(i).rfind("0o", 0) == 0 || s.substr(i).rfind("0b", 0) == 0) {
    return s.size() > i + 2;
  }
  bool digit = false;
  bool dot = false;
  bool exp = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c >= '0' && c <= '9') digit = true;
    else if (c == '_' ) continue;
    else if (c == '.' && !dot && !exp) dot = true;
    else if ((c == 'e' || c == 'E') && digit && !exp) {
      exp = true;
      if (i + 1 < s.size() && (s[i + 1] == '+' || s[i + 1] == '-')) ++i;
    } else if (c == ':' ) continue;  // sexagesimal (YAML 1.1)
    else return false;
  }
  return digit;
}

bool looks_like_timestamp(std::string_view s) {
  return s.size() >= 10 && s[4] == '-' && s[7] == '-' && std::isdigit(static_cast<unsigned char>(s[0])) &&
         std::isdigit(static_cast<unsigned char>(s[5])) && std::isdigit(static_cast<unsigned char>(s[8]));
}

bool needs_quotes(std::string_view s) {
  if (s.empty()) return true;
  if (is_yaml_special_word(s) || looks_numeric(s) || looks_like_timestamp(s)) return true;
  if (std::string_view("-?:,[]{}#&*!|>'\"%@`").find(s.front()) != std::string_view::npos) {
    // "-foo" and ":foo" are plain in go-yaml when not followed by a space; keep it simple and safe.
    if (!((s.front() == '-' || s.front() == '?' || s.front() == ':') && s.size() > 1 && s[1] != ' ')) return true;
  }
  if (s.front() == ' ' || s.back() == ' ' || s.back() == ':') return true;
  if (s.find(": ") != std::string_view::npos || s.find(" #") != std::string_view::npos) return true;
  for (unsigned char c : s) {
    if (c < 0x20 && c != '\n') return true;
  }
  return false;
}

void double_quoted(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20) {
          out += "\\x";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

// A scalar after "key: " or "- ". Multi-line strings become literal blocks indented by `indent`.
void yaml_scalar(std::string& out, const rapidjson::Value& v, std::size_t indent) {
  if (v.IsNull()) {
    out += "null\n";
  } else if (v.IsBool()) {
    out += v.GetBool() ? "true\n" : "false\n";
  } else if (v.IsNumber()) {
    out += number_text(v) + "\n";
  } else {
    std::string_view s(v.GetString(), v.GetStringLength());
    if (s.find('\n') != std::string_view::npos && s.find_first_of("\t\r") == std::string_view::npos &&
        s.front() != ' ') {
      std::size_t trailing = 0;
      while (trailing < s.size() && s[s.size() - 1 - trailing] == '\n') ++trailing;
      out += trailing == 0 ? "|-\n" : trailing == 1 ? "|\n" : "|+\n";
      std::string_view body = s.substr(0, s.size() - trailing);
      std::size_t start = 0;
      while (start <= body.size()) {
        auto end = body.find('\n', start);
        if (end == std::string_view::npos) end = body.size();
        auto line = body.substr(start, end - start);
        if (!line.empty()) out.append(indent, ' ');
        out += line;
        out += '\n';
        start = end + 1;
      }
      for (std::size_t i = 1; i < trailing; ++i) out += '\n';
      return;
    }
    if (needs_quotes(s)) {
      double_quoted(out, s);
    } else {
      out += s;
    }
    out += '\n';
  }
}

void yaml_map(std::string& out, const rapidjson::Value& v, std::size_t indent, bool first_inline);
void yaml_list(std::string& out, const rapidjson::Value& v, std::size_t indent, bool first_inline);

void yaml_key(std::string& out, std::string_view key) {
  if (needs_quotes(key)) {
    double_quoted(out, key);
  } else {
    out += key;
  }
}

void yaml_map(std::string& out, const rapidjson::Value& v, std::size_t indent, bool first_inline) {
  bool first = true;
  for (const auto* member : sorted_members(v)) {
    if (!(first && first_inline)) out.append(indent, ' ');
    first = false;
    yaml_key(out, std::string_view(member->name.GetString(), member->name.GetStringLength()));
    const auto& value = member->value;
    if (value.IsObject() && value.MemberCount() > 0) {
      out += ":\n";
      yaml_map(out, value, indent + 2, false);
    } else if (value.IsArray() && !value.Empty()) {
      out += ":\n";
      yaml_list(out, value, indent, false);
    } else if (value.IsObject()) {
      out += ": {}\n";
    } else if (value.IsArray()) {
      out += ": []\n";
    } else {
      out += ": ";
      yaml_scalar(out, value, indent + 2);
    }
  }
}

void yaml_list(std::string& out, const rapidjson::Value& v, std::size_t indent, bool first_inline) {
  bool first = true;
  for (const auto& item : v.GetArray()) {
    if (!(first && first_inline)) out.append(indent, ' ');
    first = false;
    out += "- ";
    if (item.IsObject() && item.MemberCount() > 0) {
      yaml_map(out, item, indent + 2, true);
    } else if (item.IsArray() && !item.Empty()) {
      yaml_list(out, item, indent + 2, true);
    } else if (item.IsObject()) {
      out += "{}\n";
    } else if (item.IsArray()) {
      out += "[]\n";
    } else {
      yaml_scalar(out, item, indent + 2);
    }
  }
}

}  // namespace

std::string to_json(const rapidjson::Value& value) {
  std::string out;
  json_value(out, value, 0);
  out += '\n';
  return out;
}

void print_json(std::ostream& out, const rapidjson::Value& value) { out << to_json(value); }

std::string to_yaml(const rapidjson::Value& value) {
  std::string out;
  if (value.IsObject() && value.MemberCount() > 0) {
    yaml_map(out, value, 0, false);
  } else if (value.IsArray() && !value.Empty()) {
    yaml_list(out, value, 0, false);
  } else if (value.IsObject()) {
    out = "{}\n";
  } else if (value.IsArray()) {
    out = "[]\n";
  } else {
    yaml_scalar(out, value, 0);
  }
  return out;
}

void print_yaml(std::ostream& out, const rapidjson::Value& value) { out << to_yaml(value); }

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

std::string object_name_for_output(std::string_view kind, std::string_view api_version, std::string_view name) {
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

std::string age(std::chrono::nanoseconds elapsed) {
  using namespace std::chrono;
  auto rounded = duration_cast<seconds>(elapsed + milliseconds(500));
  long long s = rounded.count();
  if (s < -1) return "<invalid>";
  if (s < 0) return "0s";
  if (s < 120) return std::to_string(s) + "s";
  long long minutes = duration_cast<std::chrono::minutes>(elapsed).count();
  if (minutes < 10) {
    long long sec = duration_cast<seconds>(elapsed).count() % 60;
    return sec == 0 ? std::to_string(minutes) + "m" : std::to_string(minutes) + "m" + std::to_string(sec) + "s";
  }
  if (minutes < 180) return std::to_string(minutes) + "m";
  long long hours = duration_cast<std::chrono::hours>(elapsed).count();
  if (hours < 8) {
    long long m = minutes % 60;
    return m == 0 ? std::to_string(hours) + "h" : std::to_string(hours) + "h" + std::to_string(m) + "m";
  }
  if (hours < 48) return std::to_string(hours) + "h";
  if (hours < 24 * 8) {
    long long h = hours % 24;
    return h == 0 ? std::to_string(hours / 24) + "d" : std::to_string(hours / 24) + "d" + std::to_string(h) + "h";
  }
  if (hours < 24 * 365 * 2) return std::to_string(hours / 24) + "d";
  if (hours < 24 * 365 * 8) {
    long long days = (hours / 24) % 365;
    return days == 0 ? std::to_string(hours / 24 / 365) + "y"
                     : std::to_string(hours / 24 / 365) + "y" + std::to_string(days) + "d";
  }
  return std::to_string(hours / 24 / 365) + "y";
}

}  // namespace dr::cli
