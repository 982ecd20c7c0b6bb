// Label and field selectors with kube-apiserver's grammar (k8s.io/apimachinery labels/fields):
//   labels: key, !key, key=v, key==v, key!=v, key in (a,b), key notin (a,b), key>N, key<N
//   fields: field=v, field==v, field!=v joined by ',' (backslash escapes , = ! and \)
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <rapidjson/document.h>

namespace emu {

struct LabelRequirement {
  enum class Op { Equals, NotEquals, In, NotIn, Exists, DoesNotExist, GreaterThan, LessThan };
  std::string key;
  Op op = Op::Exists;
  std::vector<std::string> values;
};

struct LabelSelector {
  std::vector<LabelRequirement> requirements;
  bool empty() const { return requirements.empty(); }
  // `labels` is metadata.labels (may be null or absent).
  bool matches(const rapidjson::Value* labels) const;
};

// Throws StatusError 400 (BadRequest) with the apiserver's parse error when the text is invalid.
LabelSelector parse_label_selector(const std::string& text);

struct FieldRequirement {
  std::string field;
  bool equals = true;
  std::string value;
};

struct FieldSelector {
  std::vector<FieldRequirement> requirements;
  bool empty() const { return requirements.empty(); }
  bool matches(const rapidjson::Value& object) const;
  // "metadata.name=zk" -> "zk" when the selector pins one name (used for single-object watches).
  std::string exact_name() const;
};

// Fields a kind supports (metadata.name, metadata.namespace, plus a few per kind, e.g. pods'
// status.phase). Throws StatusError 400 "field label not supported: X" like the apiserver.
FieldSelector parse_field_selector(const std::string& text, const std::string& group,
                                   const std::string& plural);

// The value of a dotted field path ("status.phase") as text ("" when absent).
std::string field_value(const rapidjson::Value& object, const std::string& path);

}  // namespace emu
