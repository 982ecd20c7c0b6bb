// `-f -`: JSON or YAML text into objects. Every result is an object (Lists are expanded).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "dr/cli/objects_input.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto objects = dr::cli::read_objects(text, "-");
  if (!objects) {
    dr::fuzz::check_error(objects.error());
    dr::fuzz::require(objects.error().code == dr::ErrorCode::Decode, "input errors are Decode errors");
    return 0;
  }
  for (const auto& object : *objects) dr::fuzz::require(object.IsObject(), "every object read is an object");
  return 0;
}
