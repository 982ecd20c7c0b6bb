#include "dr/core/suggest.hpp"

#include <algorithm>
#include <cctype>
#include <numeric>

namespace dr::suggest {

namespace {

char folded(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  if (prefix.size() > text.size()) return false;
  return std::equal(prefix.begin(), prefix.end(), text.begin(),
                    [](char a, char b) { return folded(a) == folded(b); });
}

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && starts_with_ignoring_case(a, b);
}

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // One row of the dynamic-programming table at a time.
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const std::size_t substitution = diagonal + (folded(a[i - 1]) == folded(b[j - 1]) ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitution});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::vector<std::string> suggestions_for(std::string_view typed, const std::vector<Candidate>& candidates,
                                         std::size_t max_distance) {
  std::vector<std::string> names;
  if (typed.empty()) return names;
  for (const auto& candidate : candidates) {
    const bool close =
        std::any_of(candidate.spellings.begin(), candidate.spellings.end(), [&](std::string_view s) {
          return edit_distance(typed, s) <= max_distance || starts_with_ignoring_case(s, typed);
        });
    const bool meant = std::any_of(candidate.suggest_for.begin(), candidate.suggest_for.end(),
                                   [&](std::string_view word) { return equal_ignoring_case(word, typed); });
    const std::string name(candidate.name);
    if ((close || meant) && std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  return names;
}

std::string did_you_mean(const std::vector<std::string>& names) {
  if (names.empty()) return {};
  std::string text = "\n\nDid you mean this?\n";
  for (const auto& name : names) text += "\t" + name + "\n";
  return text;
}

}  // namespace dr::suggest
