// Shared by the status view fuzz targets: arbitrary bytes as a list's items go through one view's
// decode (its row builder) and every print path (-o table/wide/json/yaml/name), as `status` does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "dr/cli/printer.hpp"
#include "fuzz_util.hpp"

namespace dr::fuzz {

// `cells(item, wide)` is the view's row for one list item; `kind` is what a list's items lack.
template <class Cells>
void fuzz_status_view(const std::uint8_t* data, std::size_t size, const std::vector<std::string>& headers,
                      const char* kind, Cells cells) {
  rapidjson::Document items;
  items.Parse(reinterpret_cast<const char*>(data), size);
  if (items.HasParseError() || !items.IsArray()) return;
  std::vector<rapidjson::Document> objects;
  for (const auto& item : items.GetArray()) {
    if (!item.IsObject()) return;  // status refuses such a list before any row is built
    rapidjson::Document copy;
    copy.CopyFrom(item, copy.GetAllocator());
    if (!copy.HasMember("kind")) copy.AddMember("kind", rapidjson::StringRef(kind), copy.GetAllocator());
    objects.push_back(std::move(copy));
  }
  for (const bool wide : {false, true}) {
    cli::Table table(headers);
    for (const auto& object : objects) table.add_row(cells(object, wide));
    std::ostringstream out;
    table.render(out);
    require(table.size() == objects.size(), "one table row per object");
  }
  for (const auto format : {cli::OutputFormat::Json, cli::OutputFormat::Yaml, cli::OutputFormat::Name}) {
    std::ostringstream out;
    auto printed = cli::print_objects(out, format, objects, true);
    if (!printed) check_error(printed.error());
  }
}

}  // namespace dr::fuzz
