// Small text helpers every layer needs. ASCII only on purpose: Kubernetes names, header names, flag
// values and file contents are compared byte-wise, as Go's strings package does without a locale.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace dr::strings {

// "Content-Type" -> "content-type" (ASCII letters only; other bytes are kept).
std::string lower(std::string_view text);

// `text` without leading and trailing ASCII white space (space, \t, \n, \v, \f, \r).
std::string_view trim(std::string_view text);

// {"a", "b"} + ", " -> "a, b"; no items -> "".
std::string join(const std::vector<std::string>& items, std::string_view separator);

// "a,,b" by ',' -> {"a", "", "b"}; "" -> {""} (as Go's strings.Split). Views into `text`.
std::vector<std::string_view> split(std::string_view text, char separator);

// `text` in double quotes, unescaped, for messages: name -> "name".
std::string quoted(std::string_view text);

}  // namespace dr::strings
