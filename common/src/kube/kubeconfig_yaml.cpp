#include "kube/kubeconfig_yaml.hpp"

#include <cctype>

namespace dr::kube::detail {

namespace {

constexpr std::string_view kMarker = "kubectl-dr-lifted-";
// Below this, yaml-cpp's cost is small and a placeholder would save little.
constexpr std::size_t kMinimumLifted = 256;

bool is_base64_symbol(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '+' || c == '/';
}
bool is_key_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
}

struct DataLine {
  std::size_t key_column = 0;  // where the key starts; a continuation line would be indented deeper
  std::string_view key;
  std::size_t value_begin = 0;
  std::size_t value_end = 0;
};

// "<spaces>[- ]...KEY-data: BASE64<spaces>" and nothing else on the line (no comment, no quotes,
// no anchor or tag): the value is a single-line plain scalar candidate.
std::optional<DataLine> match_data_line(std::string_view line) {
  std::size_t i = 0;
  auto skip_spaces = [&] {
    while (i < line.size() && line[i] == ' ') ++i;
  };
  skip_spaces();
  while (i + 1 < line.size() && line[i] == '-' && line[i + 1] == ' ') {  // "- " opens a list entry
    i += 2;
    skip_spaces();
  }
  DataLine match;
  match.key_column = i;
  while (i < line.size() && is_key_char(line[i])) ++i;
  match.key = line.substr(match.key_column, i - match.key_column);
  constexpr std::string_view kSuffix = "-data";
  if (match.key.size() <= kSuffix.size() || match.key.substr(match.key.size() - kSuffix.size()) != kSuffix)
    return std::nullopt;
  if (i + 1 >= line.size() || line[i] != ':' || line[i + 1] != ' ') return std::nullopt;
  ++i;
  skip_spaces();
  match.value_begin = i;
  while (i < line.size() && is_base64_symbol(line[i])) ++i;
  for (int padding = 0; padding < 2 && i < line.size() && line[i] == '='; ++padding) ++i;
  match.value_end = i;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\r')) ++i;
  if (i != line.size()) return std::nullopt;
  const std::size_t length = match.value_end - match.value_begin;
  // A length that is a multiple of 4 always decodes: lifted values never need an error mark.
  if (length < kMinimumLifted || length % 4 != 0) return std::nullopt;
  return match;
}

// Leading spaces of a line; nullopt for a line that is blank (it may sit inside a multi-line
// scalar without ending it) or indented with a tab (not worth reasoning about).
std::optional<std::size_t> indentation_of(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && line[i] == ' ') ++i;
  if (i < line.size() && line[i] == '\t') return std::string_view::npos;
  for (std::size_t j = i; j < line.size(); ++j) {
    if (line[j] != ' ' && line[j] != '\t' && line[j] != '\r') return i;
  }
  return std::nullopt;
}

std::optional<std::size_t> placeholder_index(const std::string& scalar) {
  if (scalar.size() <= kMarker.size() || scalar.compare(0, kMarker.size(), kMarker) != 0) return std::nullopt;
  std::size_t index = 0;
  for (std::size_t i = kMarker.size(); i < scalar.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(scalar[i]))) return std::nullopt;
    index = index * 10 + static_cast<std::size_t>(scalar[i] - '0');
  }
  return index;
}

bool restore(const YAML::Node& node, const LiftedYaml& lifted, std::vector<bool>& restored) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      return node.Scalar().find(kMarker) == std::string::npos;  // a marker anywhere else: stray
    case YAML::NodeType::Sequence:
      for (const auto& item : node) {
        if (!restore(item, lifted, restored)) return false;
      }
      return true;
    case YAML::NodeType::Map:
      for (auto entry : node) {
        if (!restore(entry.first, lifted, restored)) return false;
        YAML::Node value = entry.second;  // yaml-cpp nodes are handles: assigning changes the tree
        if (value.IsScalar()) {
          if (auto index = placeholder_index(value.Scalar())) {
            if (*index >= lifted.values.size() || restored[*index] || !entry.first.IsScalar() ||
                entry.first.Scalar() != lifted.values[*index].key) {
              return false;
            }
            value = lifted.values[*index].value;
            restored[*index] = true;
            continue;
          }
        }
        if (!restore(value, lifted, restored)) return false;
      }
      return true;
    default:
      return true;
  }
}

}  // namespace

std::optional<LiftedYaml> lift_data_values(std::string_view yaml) {
  if (yaml.find(kMarker) != std::string_view::npos) return std::nullopt;
  LiftedYaml lifted;
  lifted.text.reserve(yaml.size() / 4);
  std::optional<DataLine> pending;  // a match whose next non-blank line decides
  std::string_view pending_line;
  auto settle = [&](bool lift) {
    if (!pending) return;
    if (lift) {
      lifted.text.append(pending_line.substr(0, pending->value_begin));
      lifted.text.append(kMarker);
      lifted.text.append(std::to_string(lifted.values.size()));
      lifted.text.append(pending_line.substr(pending->value_end));
      lifted.values.push_back(
          {std::string(pending->key), std::string(pending_line.substr(
                                          pending->value_begin, pending->value_end - pending->value_begin))});
    } else {
      lifted.text.append(pending_line);
    }
    lifted.text.push_back('\n');
    pending.reset();
  };
  std::vector<std::string_view> blank_run;  // blank lines after a pending match, written once it settles

  std::size_t start = 0;
  while (start <= yaml.size()) {
    std::size_t end = yaml.find('\n', start);
    const bool last = end == std::string_view::npos;
    if (last) end = yaml.size();
    std::string_view line = yaml.substr(start, end - start);
    start = end + 1;
    if (last && line.empty()) break;

    if (pending) {
      auto indentation = indentation_of(line);
      if (!indentation) {
        blank_run.push_back(line);
        continue;
      }
      // A deeper line would continue the plain scalar: leave that one to yaml-cpp.
      settle(*indentation != std::string_view::npos && *indentation <= pending->key_column);
      for (auto blank : blank_run) {
        lifted.text.append(blank);
        lifted.text.push_back('\n');
      }
      blank_run.clear();
    }
    if (auto match = match_data_line(line)) {
      pending = match;
      pending_line = line;
      continue;
    }
    lifted.text.append(line);
    if (!last) lifted.text.push_back('\n');
  }
  settle(true);  // the end of the document ends the scalar
  for (auto blank : blank_run) {
    lifted.text.append(blank);
    lifted.text.push_back('\n');
  }
  if (lifted.values.empty()) return std::nullopt;
  return lifted;
}

bool restore_data_values(YAML::Node& root, const LiftedYaml& lifted) {
  std::vector<bool> restored(lifted.values.size(), false);
  if (!restore(root, lifted, restored)) return false;
  for (bool done : restored) {
    if (!done) return false;
  }
  return true;
}

YAML::Node load_kubeconfig_yaml(std::string_view yaml) {
  if (auto lifted = lift_data_values(yaml)) {
    try {
      YAML::Node root = YAML::Load(lifted->text);
      if (restore_data_values(root, *lifted)) return root;
    } catch (const YAML::Exception&) {
      // The original text decides what the error is, and where.
    }
  }
  return YAML::Load(std::string(yaml));
}

}  // namespace dr::kube::detail
