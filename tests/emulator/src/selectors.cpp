#include "selectors.hpp"

#include <algorithm>
#include <cctype>

namespace emu {

namespace {

std::string trim(const std::string& s) {
  auto begin = s.find_first_not_of(' ');
  auto end = s.find_last_not_of(' ');
  return begin == std::string::npos ? "" : s.substr(begin, end - begin + 1);
}

// Splits on commas that are not inside parentheses.
std::vector<std::string> split_terms(const std::string& text) {
  std::vector<std::string> terms;
  int depth = 0;
  std::string current;
  for (char c : text) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      terms.push_back(trim(current));
      current.clear();
    } else {
      current += c;
    }
  }
  terms.push_back(trim(current));
  return terms;
}

bool valid_key(const std::string& key) {
  if (key.empty() || key.size() > 316) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '/';
  });
}

}  // namespace

std::optional<Selector> parse_label_selector(const std::string& text, std::string& error) {
  Selector selector;
  if (trim(text).empty()) return selector;
  for (const auto& term : split_terms(text)) {
    Requirement r;
    if (term.empty()) {
      error = "found '', expected: !, identifier, or 'end of string'";
      return std::nullopt;
    }
    auto set_op = [&](const std::string& word, Requirement::Op op) -> bool {
      auto at = term.find(" " + word + " ");
      if (at == std::string::npos) at = term.find(" " + word + "(");
      if (at == std::string::npos) return false;
      r.key = trim(term.substr(0, at));
      r.op = op;
      auto open = term.find('(', at);
      auto close = term.rfind(')');
      if (open == std::string::npos || close == std::string::npos || close < open) {
        error = "found '" + term.substr(at + word.size() + 2) + "', expected: '('";
        return true;
      }
      for (const auto& v : split_terms(term.substr(open + 1, close - open - 1))) {
        if (!v.empty()) r.values.push_back(v);
      }
      return true;
    };
    if (set_op("notin", Requirement::Op::NotIn) || set_op("in", Requirement::Op::In)) {
      if (!error.empty()) return std::nullopt;
    } else if (auto at = term.find("!="); at != std::string::npos) {
      r.key = trim(term.substr(0, at));
      r.op = Requirement::Op::NotEquals;
      r.values.push_back(trim(term.substr(at + 2)));
    } else if (auto at2 = term.find("=="); at2 != std::string::npos) {
      r.key = trim(term.substr(0, at2));
      r.op = Requirement::Op::Equals;
      r.values.push_back(trim(term.substr(at2 + 2)));
    } else if (auto at3 = term.find('='); at3 != std::string::npos) {
      r.key = trim(term.substr(0, at3));
      r.op = Requirement::Op::Equals;
      r.values.push_back(trim(term.substr(at3 + 1)));
    } else if (term[0] == '!') {
      r.key = trim(term.substr(1));
      r.op = Requirement::Op::DoesNotExist;
    } else {
      r.key = term;
      r.op = Requirement::Op::Exists;
    }
    if (!valid_key(r.key)) {
      error = "unable to parse requirement: found '" + r.key + "', expected: identifier";
      return std::nullopt;
    }
    selector.requirements.push_back(std::move(r));
  }
  return selector;
}

bool Selector::matches(const rapidjson::Value* labels) const {
  for (const auto& r : requirements) {
    const rapidjson::Value* value = nullptr;
    if (labels != nullptr && labels->IsObject()) {
      auto it = labels->FindMember(r.key.c_str());
      if (it != labels->MemberEnd() && it->value.IsString()) value = &it->value;
    }
    std::string text = value != nullptr ? value->GetString() : "";
    bool in_values = std::find(r.values.begin(), r.values.end(), text) != r.values.end();
    switch (r.op) {
      case Requirement::Op::Equals:
      case Requirement::Op::In:
        if (value == nullptr || !in_values) return false;
        break;
      case Requirement::Op::NotEquals:
      case Requirement::Op::NotIn:
        if (value != nullptr && in_values) return false;
        break;
      case Requirement::Op::Exists:
        if (value == nullptr) return false;
        break;
      case Requirement::Op::DoesNotExist:
        if (value != nullptr) return false;
        break;
    }
  }
  return true;
}

std::optional<FieldSelector> parse_field_selector(const std::string& text, const std::string& kind, std::string& error) {
  FieldSelector selector;
  if (trim(text).empty()) return selector;
  for (const auto& term : split_terms(text)) {
    FieldSelector::Term t;
    auto at = term.find("!=");
    std::size_t skip = 2;
    if (at != std::string::npos) {
      t.equals = false;
    } else if ((at = term.find("==")) == std::string::npos) {
      at = term.find('=');
      skip = 1;
    }
    if (at == std::string::npos) {
      error = "invalid selector: '" + text + "'; can't understand '" + term + "'";
      return std::nullopt;
    }
    t.field = trim(term.substr(0, at));
    t.value = trim(term.substr(at + skip));
    if (t.field != "metadata.name" && t.field != "metadata.namespace") {
      error = "field label not supported: " + t.field;
      (void)kind;
      return std::nullopt;
    }
    selector.terms.push_back(std::move(t));
  }
  return selector;
}

bool FieldSelector::matches(const rapidjson::Value& object) const {
  for (const auto& t : terms) {
    std::string actual;
    if (object.HasMember("metadata") && object["metadata"].IsObject()) {
      const auto& metadata = object["metadata"];
      const char* key = t.field == "metadata.name" ? "name" : "namespace";
      if (metadata.HasMember(key) && metadata[key].IsString()) actual = metadata[key].GetString();
    }
    if ((actual == t.value) != t.equals) return false;
  }
  return true;
}

}  // namespace emu
