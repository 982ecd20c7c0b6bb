// Private to common/src/cli: the YAML layout kubectl -o yaml produces (sigs.k8s.io/yaml: the object
// is marshalled to JSON, re-read by go-yaml v2 and emitted by it), and Go's JSON number text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

namespace dr::cli::yaml_detail {

// encoding/json's text for a number (int64, uint64 or float64).
std::string go_json_float(double value);
std::string go_json_number(const rapidjson::Value& value);

// strconv.FormatFloat(v, 'g', -1, 64) with go-yaml's .inf/-.inf/.nan.
std::string go_yaml_float(double value);

// True when go-yaml would read `text`, unquoted, as something other than a string (null, bool,
// int, float, timestamp, base-60 float): such strings must be quoted.
bool resolves_to_non_string(std::string_view text);

// "1:30", "-2:05.5": YAML 1.1's base-60 floats. go-yaml v2's own resolver reads them as strings
// (resolves_to_non_string is false), but its emitter quotes them for YAML 1.1 readers.
bool base60_float(std::string_view text);

// go-yaml v2's map key order (numbers inside keys compare numerically, non-letters first).
bool yaml_key_less(std::string_view a, std::string_view b);

// Length in bytes of the UTF-8 character starting with `lead` (1 for stray bytes).
std::size_t char_width(unsigned char lead);
// The code point of the `width`-byte character at s[i] (bytes past the end read as 0).
std::uint32_t code_point(std::string_view s, std::size_t i, std::size_t width);

// The whole document, ending with a newline.
std::string write_yaml(const rapidjson::Value& value);

}  // namespace dr::cli::yaml_detail
