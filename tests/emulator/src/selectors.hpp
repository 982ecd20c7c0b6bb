// Label and field selectors as kube-apiserver parses them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <rapidjson/document.h>

namespace emu {

struct Requirement {
  enum class Op { Equals, NotEquals, In, NotIn, Exists, DoesNotExist };
  std::string key;
  Op op = Op::Exists;
  std::vector<std::string> values;
};

struct Selector {
  std::vector<Requirement> requirements;
  bool matches(const rapidjson::Value* labels) const;
};

// nullopt + error text (apiserver's wording) when the selector does not parse.
std::optional<Selector> parse_label_selector(const std::string& text, std::string& error);

// Field selectors support metadata.name and metadata.namespace with =, ==, !=.
struct FieldSelector {
  struct Term {
    std::string field;
    bool equals = true;
    std::string value;
  };
  std::vector<Term> terms;
  bool matches(const rapidjson::Value& object) const;
};
std::optional<FieldSelector> parse_field_selector(const std::string& text, const std::string& kind, std::string& error);

}  // namespace emu
