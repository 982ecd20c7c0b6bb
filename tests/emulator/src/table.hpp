// Server-side Tables (meta.k8s.io/v1 Table), what kubectl asks for when it prints columns.
#pragma once

#include <string>

#include "store.hpp"

namespace emu {

std::string table_for_list(const ResourceType& type, const std::string& list_json);
std::string table_for_object(const ResourceType& type, const std::string& object_json);

}  // namespace emu
