// The options and results of the store's verbs (what a request asks for besides its object).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "json.hpp"

namespace emu {

struct WriteOptions {
  bool dry_run = false;       // dryRun=All: validate, answer the result, persist nothing
  std::string subresource;    // "", "status" or "scale"
  std::string field_manager;  // accepted, unused
  bool force = false;         // server-side apply force (accepted, unused)
  // fieldValidation: "Strict" (unknown fields -> 400 BadRequest), "Warn" (the default, also ""),
  // "Ignore"; anything else -> 422. Unknown fields are dropped in every case. See
  // prune_unknown_fields (validation.hpp) for the levels checked.
  std::string field_validation;
  std::vector<std::string>* warnings = nullptr;  // receives the Warn warnings ("unknown field \"spec.foo\"")
};

struct DeleteOptions {
  bool dry_run = false;
  std::optional<std::string> precondition_uid;
  std::optional<std::string> precondition_resource_version;
};

struct ListOptions {
  std::string label_selector;  // "app=zk,tier in (a,b),!legacy"
  std::string field_selector;  // "metadata.name=zk,metadata.namespace!=kube-system"
  std::size_t limit = 0;       // 0: everything
  std::string continue_token;
  std::string resource_version;  // accepted ("", "0", N)
};

struct ListResult {
  std::vector<Object> items;
  std::uint64_t resource_version = 0;     // list metadata.resourceVersion
  std::string continue_token;             // empty on the last page
  std::optional<std::int64_t> remaining;  // remainingItemCount (only without selectors)
};

enum class PatchType {
  Merge,      // application/merge-patch+json (RFC 7386)
  Json,       // application/json-patch+json (RFC 6902)
  Strategic,  // application/strategic-merge-patch+json (built-in types only, else 415)
  Apply,      // application/apply-patch+yaml (server-side apply subset; body is JSON or YAML-as-JSON)
};

}  // namespace emu
