#include "selectors.hpp"

#include <algorithm>
#include <cstdlib>

#include "errors.hpp"
#include "json.hpp"

namespace emu {

namespace {

// ---- label selector lexer -----------------------------------------------------------------

enum class Tok {
  End,
  Ident,
  Comma,
  DoesNotExist,
  DoubleEquals,
  Equals,
  NotEquals,
  In,
  NotIn,
  Open,
  Close,
  Gt,
  Lt,
  Error
};

struct Token {
  Tok tok;
  std::string text;
};

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}
bool is_special(char c) {
  return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '>' || c == '<';
}

std::optional<Tok> symbol(const std::string& s) {
  if (s == ",") return Tok::Comma;
  if (s == "!") return Tok::DoesNotExist;
  if (s == "==") return Tok::DoubleEquals;
  if (s == "=") return Tok::Equals;
  if (s == "!=") return Tok::NotEquals;
  if (s == "(") return Tok::Open;
  if (s == ")") return Tok::Close;
  if (s == ">") return Tok::Gt;
  if (s == "<") return Tok::Lt;
  return std::nullopt;
}

std::vector<Token> lex(const std::string& s) {
  std::vector<Token> out;
  std::size_t i = 0;
  while (true) {
    while (i < s.size() && is_space(s[i])) ++i;
    if (i >= s.size()) {
      out.push_back({Tok::End, ""});
      return out;
    }
    if (is_special(s[i])) {
      // Longest operator made of special characters.
      std::string buffer;
      std::optional<Tok> last;
      std::string last_text;
      while (i < s.size() && is_special(s[i])) {
        buffer += s[i];
        if (auto t = symbol(buffer)) {
          last = t;
          last_text = buffer;
          ++i;
        } else if (last) {
          break;
        } else {
          ++i;
        }
      }
      if (!last) {
        out.push_back({Tok::Error, "error expected: keyword found '" + buffer + "'"});
      } else {
        out.push_back({*last, last_text});
      }
      continue;
    }
    std::string word;
    while (i < s.size() && !is_special(s[i]) && !is_space(s[i])) word += s[i++];
    if (word == "in") {
      out.push_back({Tok::In, word});
    } else if (word == "notin") {
      out.push_back({Tok::NotIn, word});
    } else {
      out.push_back({Tok::Ident, word});
    }
  }
}

// ---- name validation (qualified names and label values) -------------------------------------

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool valid_name_part(const std::string& s) {
  if (s.empty() || s.size() > 63) return false;
  if (!is_alnum(s.front()) || !is_alnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return is_alnum(c) || c == '-' || c == '_' || c == '.'; });
}

bool valid_dns_subdomain(const std::string& s) {
  if (s.empty() || s.size() > 253) return false;
  std::size_t start = 0;
  while (true) {
    auto dot = s.find('.', start);
    std::string label = s.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (label.empty() || label.size() > 63) return false;
    auto ok = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    if (!ok(label.front()) || !ok(label.back())) return false;
    if (!std::all_of(label.begin(), label.end(), [&](char c) { return ok(c) || c == '-'; })) return false;
    if (dot == std::string::npos) return true;
    start = dot + 1;
  }
}

const char* kQualifiedNameMessage =
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const char* kLabelValueMessage =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
    "start "
    "and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for "
    "validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

void check_key(const std::string& key) {
  std::string name = key;
  if (auto slash = key.find('/'); slash != std::string::npos) {
    std::string prefix = key.substr(0, slash);
    name = key.substr(slash + 1);
    if (!valid_dns_subdomain(prefix)) {
      throw errors::bad_request(
          "unable to parse requirement: <nil>: Invalid value: " + quoted(key) +
          ": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
          "characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
          "'example.com', regex used for validation is "
          "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
    }
  }
  if (!valid_name_part(name)) {
    throw errors::bad_request("unable to parse requirement: <nil>: Invalid value: " + quoted(key) + ": " +
                              kQualifiedNameMessage);
  }
}

void check_value(const std::string& key, const std::string& value) {
  if (value.empty()) return;
  if (!valid_name_part(value)) {
    (void)key;
    throw errors::bad_request("unable to parse requirement: <nil>: Invalid value: " + quoted(value) + ": " +
                              kLabelValueMessage);
  }
}

class LabelParser {
 public:
  explicit LabelParser(const std::string& text) : tokens_(lex(text)) {}

  LabelSelector parse() {
    LabelSelector selector;
    while (true) {
      const Token& t = peek(true);
      if (t.tok == Tok::Error) fail(t.text);
      if (t.tok == Tok::End) return selector;
      if (t.tok != Tok::Ident && t.tok != Tok::DoesNotExist) {
        fail("found '" + t.text + "', expected: !, identifier, or 'end of string'");
      }
      selector.requirements.push_back(requirement());
      const Token& next = take(false);
      if (next.tok == Tok::End) return selector;
      if (next.tok != Tok::Comma) fail("found '" + next.text + "', expected: ',' or 'end of string'");
      const Token& after = peek(true);
      if (after.tok != Tok::Ident && after.tok != Tok::DoesNotExist) {
        fail("found '" + after.text + "', expected: identifier after ','");
      }
    }
  }

 private:
  [[noreturn]] void fail(const std::string& message) { throw errors::bad_request(message); }

  // In a value position, `in`/`notin` are plain identifiers.
  const Token& peek(bool values) {
    cur_ = tokens_[pos_];
    if (values && (cur_.tok == Tok::In || cur_.tok == Tok::NotIn)) cur_.tok = Tok::Ident;
    return cur_;
  }
  const Token& take(bool values) {
    peek(values);
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return cur_;
  }

  LabelRequirement requirement() {
    LabelRequirement r;
    Token first = take(true);
    if (first.tok == Tok::DoesNotExist) {
      Token key = take(true);
      if (key.tok != Tok::Ident)
        fail("unable to parse requirement: found '" + key.text + "', expected: identifier");
      check_key(key.text);
      r.key = key.text;
      r.op = LabelRequirement::Op::DoesNotExist;
      return r;
    }
    check_key(first.text);
    r.key = first.text;
    Token op = peek(false);
    if (op.tok == Tok::End || op.tok == Tok::Comma) {
      r.op = LabelRequirement::Op::Exists;
      return r;
    }
    take(false);
    switch (op.tok) {
      case Tok::Equals:
      case Tok::DoubleEquals:
        r.op = LabelRequirement::Op::Equals;
        break;
      case Tok::NotEquals:
        r.op = LabelRequirement::Op::NotEquals;
        break;
      case Tok::In:
        r.op = LabelRequirement::Op::In;
        break;
      case Tok::NotIn:
        r.op = LabelRequirement::Op::NotIn;
        break;
      case Tok::Gt:
        r.op = LabelRequirement::Op::GreaterThan;
        break;
      case Tok::Lt:
        r.op = LabelRequirement::Op::LessThan;
        break;
      default:
        fail("unable to parse requirement: found '" + op.text + "', expected: in, notin, =, ==, !=, gt, lt");
    }
    if (r.op == LabelRequirement::Op::In || r.op == LabelRequirement::Op::NotIn) {
      Token open = take(false);
      if (open.tok != Tok::Open) fail("unable to parse requirement: found '" + open.text + "' expected: '('");
      Token t = peek(true);
      if (t.tok == Tok::Close) {
        take(true);
      } else {
        while (true) {
          Token v = take(true);
          if (v.tok == Tok::Ident) {
            r.values.push_back(v.text);
          } else if (v.tok == Tok::Comma) {
            r.values.emplace_back();  // an empty value: "(a,,b)"
            continue;
          } else {
            fail("unable to parse requirement: found '" + v.text + "', expected: ',', ')' or identifier");
          }
          Token sep = take(false);
          if (sep.tok == Tok::Close) break;
          if (sep.tok != Tok::Comma)
            fail("unable to parse requirement: found '" + sep.text + "', expected: ',' or ')'");
        }
      }
      if (r.values.empty()) {
        fail("unable to parse requirement: <nil>: Invalid value: \"" + r.key +
             "\": for 'in', 'notin' operators, values set can't be empty");
      }
    } else {
      Token v = peek(true);
      if (v.tok == Tok::Ident) {
        take(true);
        r.values.push_back(v.text);
      } else if (v.tok == Tok::End || v.tok == Tok::Comma) {
        r.values.emplace_back();
      } else {
        fail("unable to parse requirement: found '" + v.text + "', expected: identifier");
      }
      if (r.op == LabelRequirement::Op::GreaterThan || r.op == LabelRequirement::Op::LessThan) {
        char* end = nullptr;
        const std::string& s = r.values[0];
        std::strtoll(s.c_str(), &end, 10);
        if (s.empty() || *end != '\0') {
          fail("unable to parse requirement: <nil>: Invalid value: \"" + s +
               "\": for 'Gt', 'Lt' operators, the value must be an integer");
        }
      }
    }
    for (const auto& v : r.values) check_value(r.key, v);
    return r;
  }

  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  Token cur_{Tok::End, ""};
};

}  // namespace

LabelSelector parse_label_selector(const std::string& text) {
  return LabelParser(text).parse();
}

bool LabelSelector::matches(const rapidjson::Value* labels) const {
  for (const auto& r : requirements) {
    const rapidjson::Value* value = nullptr;
    if (labels != nullptr && labels->IsObject()) {
      auto it = labels->FindMember(rapidjson::StringRef(r.key.data(), r.key.size()));
      if (it != labels->MemberEnd() && it->value.IsString()) value = &it->value;
    }
    std::string text = value != nullptr ? std::string(value->GetString(), value->GetStringLength()) : "";
    bool listed = std::find(r.values.begin(), r.values.end(), text) != r.values.end();
    switch (r.op) {
      case LabelRequirement::Op::Equals:
      case LabelRequirement::Op::In:
        if (value == nullptr || !listed) return false;
        break;
      case LabelRequirement::Op::NotEquals:
      case LabelRequirement::Op::NotIn:
        if (value != nullptr && listed) return false;
        break;
      case LabelRequirement::Op::Exists:
        if (value == nullptr) return false;
        break;
      case LabelRequirement::Op::DoesNotExist:
        if (value != nullptr) return false;
        break;
      case LabelRequirement::Op::GreaterThan:
      case LabelRequirement::Op::LessThan: {
        if (value == nullptr) return false;
        char* end = nullptr;
        long long have = std::strtoll(text.c_str(), &end, 10);
        if (text.empty() || *end != '\0') return false;
        long long want = std::strtoll(r.values[0].c_str(), nullptr, 10);
        if (r.op == LabelRequirement::Op::GreaterThan ? !(have > want) : !(have < want)) return false;
        break;
      }
    }
  }
  return true;
}

// ---- field selectors --------------------------------------------------------------------------

namespace {

std::vector<std::string> supported_fields(const std::string& group, const std::string& plural) {
  std::vector<std::string> fields{"metadata.name", "metadata.namespace"};
  if (group.empty() && plural == "pods") {
    for (const char* f :
         {"spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
          "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName"}) {
      fields.emplace_back(f);
    }
  } else if (group.empty() && plural == "namespaces") {
    fields.emplace_back("status.phase");
  } else if (group == "apps" && plural == "replicasets") {
    fields.emplace_back("status.replicas");
  }
  return fields;
}

}  // namespace

FieldSelector parse_field_selector(const std::string& text, const std::string& group,
                                   const std::string& plural) {
  FieldSelector selector;
  if (text.empty()) return selector;
  // Split on unescaped commas.
  std::vector<std::string> parts;
  std::string current;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      current += text[i];
      current += text[++i];
    } else if (text[i] == ',') {
      parts.push_back(current);
      current.clear();
    } else {
      current += text[i];
    }
  }
  parts.push_back(current);
  auto unescape = [&](const std::string& v) {
    std::string out;
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (v[i] == '\\') {
        if (i + 1 >= v.size() ||
            (v[i + 1] != '\\' && v[i + 1] != ',' && v[i + 1] != '=' && v[i + 1] != '!')) {
          throw errors::bad_request("invalid field selector: invalid escape sequence: \\" +
                                    (i + 1 < v.size() ? std::string(1, v[i + 1]) : std::string()));
        }
        out += v[++i];
      } else if (v[i] == ',' || v[i] == '=' || v[i] == '!') {
        throw errors::bad_request(std::string("invalid field selector: unescaped character in value: ") +
                                  v[i]);
      } else {
        out += v[i];
      }
    }
    return out;
  };
  auto fields = supported_fields(group, plural);
  for (const auto& part : parts) {
    if (part.empty()) continue;
    FieldRequirement r;
    std::size_t at;
    std::size_t skip;
    if ((at = part.find("!=")) != std::string::npos) {
      r.equals = false;
      skip = 2;
    } else if ((at = part.find("==")) != std::string::npos) {
      skip = 2;
    } else if ((at = part.find('=')) != std::string::npos) {
      skip = 1;
    } else {
      throw errors::bad_request("invalid selector: '" + text + "'; can't understand '" + part + "'");
    }
    r.field = part.substr(0, at);
    r.value = unescape(part.substr(at + skip));
    if (std::find(fields.begin(), fields.end(), r.field) == fields.end()) {
      throw errors::bad_request("field label not supported: " + r.field);
    }
    selector.requirements.push_back(std::move(r));
  }
  return selector;
}

std::string field_value(const rapidjson::Value& object, const std::string& path) {
  const rapidjson::Value* current = &object;
  std::size_t start = 0;
  while (current != nullptr) {
    auto dot = path.find('.', start);
    std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!current->IsObject()) return "";
    auto it = current->FindMember(rapidjson::StringRef(key.data(), key.size()));
    if (it == current->MemberEnd()) return "";
    current = &it->value;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (current == nullptr) return "";
  if (current->IsString()) return std::string(current->GetString(), current->GetStringLength());
  if (current->IsBool()) return current->GetBool() ? "true" : "false";
  if (current->IsInt64()) return std::to_string(current->GetInt64());
  return "";
}

bool FieldSelector::matches(const rapidjson::Value& object) const {
  for (const auto& r : requirements) {
    if ((field_value(object, r.field) == r.value) != r.equals) return false;
  }
  return true;
}

std::string FieldSelector::exact_name() const {
  for (const auto& r : requirements) {
    if (r.field == "metadata.name" && r.equals) return r.value;
  }
  return "";
}

}  // namespace emu
