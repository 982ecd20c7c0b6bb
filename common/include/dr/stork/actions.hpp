// Stork's Action (stork >= 24.2): the object `perform failover|failback` creates and the Stork
// controller executes stage by stage, and the rows `status failover|failback` shows for it.
//
// Upstream facts (libopenstorage/stork pkg/storkctl/action.go, actionstatus.go):
//  * Name: "<type>-<schedule>-<YYYY-MM-DD-HHMMSS>" in local time, the schedule's part cut so the
//    whole name is at most 253 characters (a DNS-1123 subdomain's limit).
//  * Namespaces: --include-namespaces as given, or the schedule's minus --exclude-namespaces, or all
//    of the schedule's; both flags at once, or a list that is not a subset, is an error.
//  * STAGE and MORE INFO as storkctl's `get failover|failback` prints them, except that a row whose
//    summary lists are both empty is shown (storkctl drops it: a bug).
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "dr/core/error.hpp"
#include "dr/stork/kube_time.hpp"

namespace dr::stork {

enum class ActionType { Failover, Failback };

// "failover" / "failback": spec.actionType's value, and the word in storkctl's messages.
std::string_view action_type_word(ActionType type);
// From spec.actionType; nullopt for anything else (nearsyncFailover, a malformed object).
std::optional<ActionType> action_type_of(const rapidjson::Value& action);

// storkctl's Action name for `schedule` at local time `local`.
std::string action_name(ActionType type, std::string_view schedule, const std::tm& local);

// The namespaces an Action acts on, by storkctl's rule above. The error texts are storkctl's.
Result<std::vector<std::string>> action_namespaces(const std::vector<std::string>& schedule_namespaces,
                                                   const std::vector<std::string>& include,
                                                   const std::vector<std::string>& exclude);

struct ActionRequest {
  ActionType type = ActionType::Failover;
  std::string namespace_name;
  std::string name;
  std::string schedule;
  std::vector<std::string> namespaces;
  bool skip_source_operations = false;  // failover only
};
// The Action object `perform` creates (JSON), with an empty status as storkctl sends it.
std::string action_body(const ActionRequest& request);

// storkctl's STAGE column: the display name of status.stage for this action type.
std::string action_stage_display(ActionType type, std::string_view stage);
// storkctl's MORE INFO column.
std::string action_more_info(const rapidjson::Value& action);

struct ActionRow {
  std::string namespace_name;
  std::string name;
  std::optional<TimePoint> created;
  std::string stage;   // display name
  std::string status;  // status.status as stored
  std::string more_info;
};
ActionRow action_row(ActionType type, const rapidjson::Value& action);

// True once the Action reached its final stage (the controller will not change it again).
bool action_finished(const rapidjson::Value& action);

}  // namespace dr::stork
