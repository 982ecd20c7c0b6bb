// "Did you mean this?" for a mistyped command or resource word, as cobra (and so kubectl) finds it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace dr::suggest {

// Levenshtein distance, letters compared without regard to case.
std::size_t edit_distance(std::string_view a, std::string_view b);

// One way to name a candidate: `name` is what is suggested; `spellings` (the name itself, aliases)
// are what the typed word is compared with; `suggest_for` are words that are not close in spelling
// but mean this candidate (cobra's SuggestFor: `get` -> `status`).
struct Candidate {
  std::string_view name;
  std::vector<std::string_view> spellings;
  std::vector<std::string_view> suggest_for;
};

// cobra's SuggestionsFor: each candidate whose spelling is within `max_distance` edits of `typed`
// or starts with it (case ignored), or that lists `typed` in suggest_for. In candidate order, each
// name once. An empty word suggests nothing (every name would start with it).
std::vector<std::string> suggestions_for(std::string_view typed, const std::vector<Candidate>& candidates,
                                         std::size_t max_distance = 2);

// cobra's text after an unknown word: "\n\nDid you mean this?\n\tNAME\n" per name, or "" for none.
std::string did_you_mean(const std::vector<std::string>& names);

}  // namespace dr::suggest
