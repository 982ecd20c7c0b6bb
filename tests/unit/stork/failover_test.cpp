#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include "dr/stork/failover.hpp"

using dr::stork::Direction;
using dr::stork::Stage;

namespace {

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  REQUIRE_FALSE(doc.HasParseError());
  return doc;
}

std::vector<std::string> ids(const std::vector<Stage>& stages) {
  std::vector<std::string> out;
  for (auto stage : stages) out.emplace_back(dr::stork::stage_id(stage));
  return out;
}

dr::TimePoint at(const char* rfc3339) {
  return *dr::stork::parse_kube_time(rfc3339);
}

}  // namespace

TEST_CASE("failover: the stages of each direction", "[failover]") {
  using V = std::vector<std::string>;
  CHECK(ids(dr::stork::plan_stages(Direction::Failover, {false, true})) ==
        V{"suspend-schedule", "scale-down", "wait-stopped", "last-mile-migration", "deactivate-domain",
          "scale-up", "wait-ready"});
  CHECK(ids(dr::stork::plan_stages(Direction::Failover, {false, false})) ==
        V{"suspend-schedule", "scale-down", "wait-stopped", "last-mile-migration", "scale-up", "wait-ready"});
  CHECK(ids(dr::stork::plan_stages(Direction::Failover, {true, true})) == V{"scale-up", "wait-ready"});
  CHECK(ids(dr::stork::plan_stages(Direction::Failback, {false, true})) ==
        V{"suspend-schedule", "activate-domain", "scale-down", "wait-stopped", "last-mile-migration",
          "scale-up", "wait-ready", "resume-schedule"});
  for (auto stage : dr::stork::plan_stages(Direction::Failback, {false, true})) {
    CHECK(dr::stork::stage_from_id(dr::stork::stage_id(stage)) == stage);
  }
  CHECK_FALSE(dr::stork::stage_from_id("reticulate-splines").has_value());
}

TEST_CASE("failover: the journal survives its ConfigMap, and Stork does not migrate it", "[failover]") {
  dr::stork::Journal journal;
  journal.run_id = "20261208t031500-abcde";
  journal.direction = Direction::Failback;
  journal.schedule = "migrationschedule";
  journal.from_context = "us-east-1b";
  journal.to_context = "us-east-1a";
  journal.namespaces = {"zookeeper", "kafka"};
  journal.completed = {"suspend-schedule", "scale-down"};
  journal.last_mile_migration = "migrationschedule-lastmile-20261208t031500-abcde";
  journal.skip_source = false;
  auto configmap = parse(dr::stork::journal_configmap(journal, "zookeeper", "42"));
  CHECK(std::string(configmap["metadata"]["name"].GetString()) == "kubectl-dr-run-migrationschedule");
  CHECK(std::string(configmap["metadata"]["resourceVersion"].GetString()) == "42");
  CHECK(std::string(
            configmap["metadata"]["annotations"]["stork.libopenstorage.org/skip-resource"].GetString()) ==
        "true");
  auto back = dr::stork::parse_journal(configmap);
  REQUIRE(back);
  CHECK(back->run_id == journal.run_id);
  CHECK(back->direction == Direction::Failback);
  CHECK(back->namespaces == journal.namespaces);
  CHECK(back->completed == journal.completed);
  CHECK(back->last_mile_migration == journal.last_mile_migration);
  CHECK(back->done(Stage::ScaleDown));
  CHECK_FALSE(back->done(Stage::WaitStopped));
  CHECK_FALSE(back->finished());
  CHECK(parse(dr::stork::journal_configmap(journal, "zookeeper", ""))
            .FindMember("metadata")
            ->value.HasMember("resourceVersion") == false);
}

TEST_CASE("failover: a ConfigMap that is not a journal is refused, not guessed at", "[failover]") {
  CHECK_FALSE(dr::stork::parse_journal(parse(R"({"metadata":{"name":"x"}})")));
  CHECK_FALSE(
      dr::stork::parse_journal(parse(R"({"metadata":{"name":"x"},"data":{"runId":"r","operation":"x"}})")));
  auto unknown_stage = dr::stork::parse_journal(parse(
      R"({"metadata":{"name":"x"},"data":{"runId":"r","operation":"failover","completedStages":"later"}})"));
  REQUIRE_FALSE(unknown_stage);
  CHECK(unknown_stage.error().message.find("unknown stage \"later\"") != std::string::npos);
}

TEST_CASE("failover: the journal's name fits a ConfigMap name", "[failover]") {
  CHECK(dr::stork::journal_name("ms") == "kubectl-dr-run-ms");
  const auto name = dr::stork::journal_name(std::string(300, 'a'));
  CHECK(name.size() == 253);
}

TEST_CASE("failover: the last migration's verdict", "[failover]") {
  using Verdict = dr::stork::LastMigrationCheck::Verdict;
  const auto now = at("2026-12-08T04:00:00Z");
  const std::chrono::minutes interval(30);
  auto schedule = [](const char* status, const char* finished) {
    return parse(std::string(R"({"status":{"items":{"Interval":[
        {"name":"old","status":"Successful","creationTimestamp":"2026-12-08T01:00:00Z","finishTimestamp":"2026-12-08T01:00:10Z"},
        {"name":"new","status":")") +
                 status + R"(","creationTimestamp":"2026-12-08T03:50:00Z","finishTimestamp":")" + finished +
                 R"("}]}}})");
  };
  auto ok =
      dr::stork::check_last_migration(schedule("Successful", "2026-12-08T03:50:10Z"), interval, now, false);
  CHECK(ok.verdict == Verdict::Ok);
  CHECK(ok.name == "new");
  CHECK(ok.message == "last migration new Successful, finished 9m50s ago");
  auto failed =
      dr::stork::check_last_migration(schedule("Failed", "2026-12-08T03:50:10Z"), interval, now, false);
  CHECK(failed.verdict == Verdict::Refuse);
  CHECK(dr::stork::check_last_migration(schedule("Failed", "2026-12-08T03:50:10Z"), interval, now, true)
            .verdict == Verdict::Warn);
  auto stale =
      dr::stork::check_last_migration(schedule("Successful", "2026-12-08T03:20:00Z"), interval, now, false);
  CHECK(stale.verdict == Verdict::Warn);
  CHECK(stale.message.find("older than the schedule's interval (30m0s)") != std::string::npos);
  CHECK(dr::stork::check_last_migration(schedule("PartialSuccess", "2026-12-08T03:50:10Z"), interval, now,
                                        false)
            .verdict == Verdict::Warn);
  auto none = dr::stork::check_last_migration(parse(R"({"status":{}})"), interval, now, false);
  CHECK(none.verdict == Verdict::Refuse);
  CHECK(dr::stork::check_last_migration(parse(R"({"status":{"items":{"Interval":["x",7]}}})"), interval, now,
                                        false)
            .verdict == Verdict::Refuse);
}

TEST_CASE("failover: the last-mile migration copies the schedule's template", "[failover]") {
  auto schedule = parse(R"({"metadata":{"name":"ms","namespace":"zk"},"spec":{"template":{"spec":{
      "clusterPair":"remotecluster","includeResources":true,"startApplications":true,
      "namespaces":["zk","kafka","other"],"namespaceSelectors":{"team":"a"}}}}})");
  auto migration =
      parse(dr::stork::last_mile_migration_body(schedule, "ms-lastmile-r1", "zk", {"zk", "kafka"}, "r1"));
  CHECK(std::string(migration["kind"].GetString()) == "Migration");
  CHECK(std::string(migration["metadata"]["name"].GetString()) == "ms-lastmile-r1");
  CHECK(std::string(migration["spec"]["clusterPair"].GetString()) == "remotecluster");
  CHECK(migration["spec"]["startApplications"].GetBool() == false);
  CHECK(migration["spec"]["namespaces"].Size() == 2);
  CHECK_FALSE(migration["spec"].HasMember("namespaceSelectors"));
  CHECK(std::string(migration["metadata"]["annotations"]["stork.libopenstorage.org/migration-schedule-name"]
                        .GetString()) == "ms");
  CHECK(std::string(migration["metadata"]["labels"]["dr.kubectl-dr.io/run"].GetString()) == "r1");
}

TEST_CASE("failover: the policy's interval", "[failover]") {
  CHECK(dr::stork::policy_interval(parse(R"({"policy":{"interval":{"intervalMinutes":15}}})")) ==
        std::chrono::minutes(15));
  CHECK(dr::stork::policy_interval(parse(R"({"policy":{"daily":{"time":"10:00PM"}}})")) ==
        std::chrono::minutes(0));
}

TEST_CASE("failover: Stork's migrationTime annotation", "[failover]") {
  CHECK(dr::stork::parse_migration_time("2026-12-08-031505") == at("2026-12-08T03:15:05Z"));
  CHECK_FALSE(dr::stork::parse_migration_time("2026-12-08T03:15:05Z").has_value());
  CHECK_FALSE(dr::stork::parse_migration_time("").has_value());
  CHECK_FALSE(dr::stork::parse_migration_time("2026-12-08-99xx05").has_value());
}

TEST_CASE("failover: a run as a status row", "[failover]") {
  dr::stork::Journal journal;
  journal.run_id = "r1";
  journal.schedule = "ms";
  journal.from_context = "a";
  journal.to_context = "b";
  journal.started_at = "2026-12-08T03:00:00Z";
  journal.completed = {"suspend-schedule", "scale-down"};
  auto row = dr::stork::journal_row(journal, "zk");
  CHECK(row.name == "r1");
  CHECK(row.stage == "wait-stopped");
  CHECK(row.status == "In-Progress");
  CHECK(row.more_info == "kubectl dr failover of ms from a to b");
  CHECK(row.created.has_value());
  journal.state = "RolledBack";
  journal.message = "last-mile-migration: failed";
  row = dr::stork::journal_row(journal, "zk");
  CHECK(row.stage == "Completed");
  CHECK(row.status == "RollbackSuccessful");
  CHECK(row.more_info == "kubectl dr failover of ms from a to b ; last-mile-migration: failed");
}
