// Loading a kubeconfig's YAML quickly.
//
// yaml-cpp scans a plain scalar one character at a time through composed regular expressions,
// about 0.15 ms per KB here, and a kubeconfig is mostly base64: the *-data fields carry
// certificates and keys of 1-10 KB each. A kubeconfig with ten clusters (78 KB) took 12 ms to
// load, more than the rest of a `kubectl dr status`. So the long base64 values are lifted out of
// the text before yaml-cpp sees it, leaving short placeholders, and put back into the parsed tree.
//
// Correctness does not rest on the line matcher: after parsing, every placeholder must come back
// exactly once, as the whole value of the key it was taken from, and nothing else in the document
// may contain the marker. Otherwise (a match inside a quoted or block scalar, a scalar continued
// on the next line) the original text is parsed as it is.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dr::kube::detail {

struct LiftedValue {
  std::string key;    // the mapping key the value belonged to ("client-key-data")
  std::string value;  // the base64 text, as it stood in the file
};

struct LiftedYaml {
  std::string text;  // the YAML with placeholders; same lines, so marks keep their line numbers
  std::vector<LiftedValue> values;
};

// Takes the long base64 values of `*-data` keys out of `yaml`; nullopt when there are none worth
// it, or when the text already contains the placeholder marker.
std::optional<LiftedYaml> lift_data_values(std::string_view yaml);

// Puts the lifted values back into `root`; false when any placeholder is missing, repeated, not
// the whole value of its own key, or the marker appears anywhere else (then parse the original).
bool restore_data_values(YAML::Node& root, const LiftedYaml& lifted);

// YAML::Load with the fast path above; throws what YAML::Load throws for the original text.
YAML::Node load_kubeconfig_yaml(std::string_view yaml);

}  // namespace dr::kube::detail
