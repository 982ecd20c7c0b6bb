// Server-side Tables (meta.k8s.io/v1 Table): what kubectl asks for (Accept: ...;as=Table) when it
// prints columns. Columns follow kube-apiserver's printers for the built-in kinds and a CRD's
// additionalPrinterColumns (default: Name, Age) for custom resources.
#pragma once

#include <string>
#include <vector>

#include "json.hpp"
#include "types.hpp"

namespace emu {

// `include_object`: "None", "Metadata" (default) or "Object" (?includeObject=).
std::string table_json(const ResourceType& type, const std::vector<Object>& objects,
                       std::uint64_t resource_version, const std::string& continue_token,
                       const std::string& include_object);

// A duration like kubectl's HumanDuration ("45s", "3m18s", "5h", "2d3h").
std::string human_duration(long long seconds);

}  // namespace emu
