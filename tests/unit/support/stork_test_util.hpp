// Shared helpers for the [stork] unit tests.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

namespace stork_test {

inline rapidjson::Document parse(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError()) throw std::runtime_error("bad test JSON: " + std::string(json));
  return doc;
}

}  // namespace stork_test
