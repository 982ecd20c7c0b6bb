#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include "dr/stork/actions.hpp"

using dr::stork::ActionType;

namespace {

rapidjson::Document parse(const char* text) {
  rapidjson::Document doc;
  doc.Parse(text);
  REQUIRE_FALSE(doc.HasParseError());
  return doc;
}

std::tm december_eighth() {
  std::tm t{};
  t.tm_year = 2026 - 1900;
  t.tm_mon = 11;
  t.tm_mday = 8;
  t.tm_hour = 3;
  t.tm_min = 4;
  t.tm_sec = 5;
  return t;
}

}  // namespace

TEST_CASE("actions: storkctl's name, the schedule cut to fit 253 characters", "[actions]") {
  CHECK(dr::stork::action_name(ActionType::Failover, "migrationschedule", december_eighth()) ==
        "failover-migrationschedule-2026-12-08-030405");
  CHECK(dr::stork::action_name(ActionType::Failback, "ms", december_eighth()) ==
        "failback-ms-2026-12-08-030405");
  const std::string long_schedule(300, 'x');
  const std::string name = dr::stork::action_name(ActionType::Failover, long_schedule, december_eighth());
  CHECK(name.size() == 253);
  CHECK(name.substr(name.size() - 18) == "-2026-12-08-030405");
}

TEST_CASE("actions: namespaces by storkctl's include/exclude rule", "[actions]") {
  const std::vector<std::string> schedule = {"a", "b", "c"};
  CHECK(*dr::stork::action_namespaces(schedule, {}, {}) == schedule);
  CHECK(*dr::stork::action_namespaces(schedule, {"c", "a"}, {}) == std::vector<std::string>{"c", "a"});
  CHECK(*dr::stork::action_namespaces(schedule, {}, {"b"}) == std::vector<std::string>{"a", "c"});
  auto both = dr::stork::action_namespaces(schedule, {"a"}, {"b"});
  REQUIRE_FALSE(both);
  CHECK(both.error().message ==
        "can provide only one of --include-namespaces or --exclude-namespaces values at once");
  auto outside = dr::stork::action_namespaces(schedule, {}, {"x", "b", "y"});
  REQUIRE_FALSE(outside);
  CHECK(outside.error().message ==
        "provided namespaces [x y] are not a subset of the namespaces being migrated by the given "
        "MigrationSchedule");
}

TEST_CASE("actions: the object perform creates", "[actions]") {
  dr::stork::ActionRequest request;
  request.type = ActionType::Failover;
  request.namespace_name = "zookeeper";
  request.name = "failover-ms-2026-12-08-030405";
  request.schedule = "ms";
  request.namespaces = {"zookeeper", "kafka"};
  request.skip_source_operations = true;
  auto failover = parse(dr::stork::action_body(request).c_str());
  CHECK(std::string(failover["kind"].GetString()) == "Action");
  CHECK(std::string(failover["metadata"]["namespace"].GetString()) == "zookeeper");
  const auto& params = failover["spec"]["actionParameter"]["failoverParameter"];
  CHECK(params["failoverNamespaces"].Size() == 2);
  CHECK(std::string(params["migrationScheduleReference"].GetString()) == "ms");
  CHECK(params["skipSourceOperations"].GetBool());
  CHECK(failover["status"].ObjectEmpty());

  request.type = ActionType::Failback;
  auto failback = parse(dr::stork::action_body(request).c_str());
  CHECK(std::string(failback["spec"]["actionType"].GetString()) == "failback");
  const auto& back = failback["spec"]["actionParameter"]["failbackParameter"];
  CHECK(back["failbackNamespaces"].Size() == 2);
  CHECK_FALSE(back.HasMember("skipSourceOperations"));
}

TEST_CASE("actions: storkctl's stage names depend on the direction", "[actions]") {
  using dr::stork::action_stage_display;
  CHECK(action_stage_display(ActionType::Failover, "") == "Validations");
  CHECK(action_stage_display(ActionType::Failover, "WaitAfterScaleDown") ==
        "Waiting for Apps to Scale Down (on source)");
  CHECK(action_stage_display(ActionType::Failback, "WaitAfterScaleDown") ==
        "Waiting for Apps to Scale Down (on destination)");
  CHECK(action_stage_display(ActionType::Failover, "LastMileMigration") ==
        "Last Mile Migration (from source -> destination)");
  CHECK(action_stage_display(ActionType::Failback, "LastMileMigration") ==
        "Last Mile Migration (from destination -> source)");
  CHECK(action_stage_display(ActionType::Failover, "ScaleUpSource") == "Rolling Back Scale Down (on source)");
  CHECK(action_stage_display(ActionType::Failback, "ScaleUpSource") == "Scale Up (on source)");
  CHECK(action_stage_display(ActionType::Failover, "ScaleUpDestination") == "Scale Up (on destination)");
  CHECK(action_stage_display(ActionType::Failback, "ScaleUpDestination") ==
        "Rolling Back Scale Down (on destination)");
  CHECK(action_stage_display(ActionType::Failover, "Final") == "Completed");
  CHECK(action_stage_display(ActionType::Failover, "SomethingNew") == "SomethingNew");
}

TEST_CASE("actions: MORE INFO counts namespaces, rollbacks first, and keeps rows storkctl drops",
          "[actions]") {
  auto scaled = parse(R"({"status":{"reason":"r","summary":{"failoverSummary":[
      {"namespace":"a","status":"Successful"},{"namespace":"b","status":"Failed"}]}}})");
  CHECK(dr::stork::action_more_info(scaled) == "Scaled up Apps in : 1/2 namespaces");
  auto rolled = parse(R"({"status":{"reason":"last mile failed","summary":{"failbackSummary":[
      {"namespace":"a","status":"RollbackSuccessful"},{"namespace":"b","status":"RollbackFailed"}]}}})");
  CHECK(dr::stork::action_more_info(rolled) == "Rolled back Apps in : 1/2 namespaces ; last mile failed");
  auto empty_summary = parse(R"({"status":{"reason":"waiting","summary":{"failoverSummary":[]}}})");
  CHECK(dr::stork::action_more_info(empty_summary) == "waiting");
  auto hostile = parse(R"({"status":{"summary":{"failoverSummary":["x",7,{"status":"Successful"}]}}})");
  CHECK(dr::stork::action_more_info(hostile) == "Scaled up Apps in : 1/3 namespaces");
  CHECK(dr::stork::action_more_info(parse(R"({"status":"nonsense"})")).empty());
}

TEST_CASE("actions: type, row and whether it is finished", "[actions]") {
  auto action = parse(
      R"({"metadata":{"name":"failover-ms-1","namespace":"zk","creationTimestamp":"2026-12-08T03:04:05Z"},
      "spec":{"actionType":"failover"},"status":{"stage":"Final","status":"Successful"}})");
  REQUIRE(dr::stork::action_type_of(action) == ActionType::Failover);
  const auto row = dr::stork::action_row(ActionType::Failover, action);
  CHECK(row.name == "failover-ms-1");
  CHECK(row.namespace_name == "zk");
  CHECK(row.stage == "Completed");
  CHECK(row.status == "Successful");
  CHECK(row.created.has_value());
  CHECK(dr::stork::action_finished(action));
  CHECK_FALSE(dr::stork::action_type_of(parse(R"({"spec":{"actionType":"nearsyncFailover"}})")).has_value());
  CHECK_FALSE(dr::stork::action_finished(parse(R"({"status":{"stage":"LastMileMigration"}})")));
}
