#include <catch2/catch.hpp>

#include <chrono>

#include "dr/stork/apps_status.hpp"
#include "dr/stork/kube_time.hpp"
#include "dr/stork/migration_schedules.hpp"
#include "dr/stork/migrations.hpp"
#include "support/stork_test_util.hpp"

using namespace dr::stork;
using namespace std::chrono_literals;
using stork_test::parse;

namespace {
const char* kSchedule =
    R"({"metadata":{"name":"migrationschedule","namespace":"zookeeper","resourceVersion":"11"},
  "spec":{"schedulePolicyName":"default-migration-policy","template":{"spec":{"clusterPair":"remotecluster",
    "namespaces":["zookeeper"]}}},
  "status":{"items":{
    "Interval":[
      {"name":"m1","creationTimestamp":"2022-12-01T23:20:00Z","finishTimestamp":"2022-12-01T23:21:00Z","status":"Successful"},
      {"name":"m2","creationTimestamp":"2022-12-01T23:30:50Z","finishTimestamp":"2022-12-01T23:31:00Z","status":"Successful"},
      {"name":"m3","creationTimestamp":"2022-12-01T23:40:00Z","finishTimestamp":"2022-12-01T23:45:00Z","status":"Failed"}],
    "Daily":[
      {"name":"d1","creationTimestamp":"2022-12-01T10:00:00Z","finishTimestamp":"2022-12-01T10:01:30Z","status":"Successful"}]}}})";
}  // namespace

TEST_CASE("kube time parsing", "[stork]") {
  using namespace std::chrono;
  auto t = parse_kube_time("2022-12-01T23:31:00Z");
  REQUIRE(t);
  CHECK(*t == sys_days{year{2022} / December / 1} + 23h + 31min);
  CHECK(*parse_kube_time("2022-12-02T01:31:00+02:00") == *t);
  CHECK(*parse_kube_time("2022-12-01T23:31:00.5Z") - *t == 500ms);
  for (const char* bad : {"", "2022-12-01", "2022-13-01T00:00:00Z", "2022-12-01T23:31:00", "garbage"}) {
    INFO(bad);
    CHECK_FALSE(parse_kube_time(bad));
  }
}

TEST_CASE("schedule row: storkctl's last-success rule", "[stork]") {
  auto doc = parse(kSchedule);
  auto row = migration_schedule_row(doc);
  CHECK(row.name == "migrationschedule");
  CHECK(row.policy_name == "default-migration-policy");
  CHECK(row.cluster_pair == "remotecluster");
  CHECK_FALSE(row.suspend);  // absent = false
  REQUIRE(row.last_success);
  CHECK(row.last_success->migration_name == "m2");  // latest Successful finish; Failed m3 ignored
  CHECK(row.last_success->duration == 10s);
  CHECK(row.last_success->finished == *parse_kube_time("2022-12-01T23:31:00Z"));
}

TEST_CASE("schedule without successes has no last success", "[stork]") {
  auto doc = parse(R"({"metadata":{"name":"s"},"spec":{"suspend":true},"status":{"items":{"Interval":[
      {"name":"m","creationTimestamp":"2022-12-01T23:20:00Z","status":"InProgress"}]}}})");
  auto row = migration_schedule_row(doc);
  CHECK(row.suspend);
  CHECK_FALSE(row.last_success);
}

TEST_CASE("suspend/resume bodies and messages", "[stork]") {
  CHECK(suspend_patch_body(true, "11") == R"({"metadata":{"resourceVersion":"11"},"spec":{"suspend":true}})");
  CHECK(suspend_patch_body(false, "") == R"({"spec":{"suspend":false}})");
  CHECK(suspend_message("migrationschedule", true) ==
        "MigrationSchedule migrationschedule suspended successfully");
  CHECK(suspend_message("migrationschedule", false) ==
        "MigrationSchedule migrationschedule resumed successfully");
}

TEST_CASE("which schedules migrate a namespace", "[stork]") {
  auto doc = parse(kSchedule);
  CHECK(schedule_migrates_namespace(doc, "zookeeper", nullptr));
  CHECK_FALSE(schedule_migrates_namespace(doc, "other", nullptr));
  CHECK(schedule_namespaces(doc) == std::vector<std::string>{"zookeeper"});
  auto selectors = parse(
      R"({"spec":{"template":{"spec":{"namespaces":[],"namespaceSelectors":{"dr":"yes","team":"a"}}}}})");
  CHECK(schedule_uses_namespace_selectors(selectors));
  auto labels = parse(R"({"team":"a"})");
  CHECK(schedule_migrates_namespace(selectors, "x", &labels));  // any one pair matches
  auto other = parse(R"({"team":"b"})");
  CHECK_FALSE(schedule_migrates_namespace(selectors, "x", &other));
  CHECK_FALSE(schedule_migrates_namespace(selectors, "x", nullptr));
}

TEST_CASE("schedule namespace for an object", "[stork]") {
  auto annotated = parse(
      R"({"metadata":{"namespace":"app","annotations":{"stork.libopenstorage.org/migrationNamespace":"admin"}}})");
  CHECK(schedule_namespace_for(annotated) == "admin");
  auto plain = parse(R"({"metadata":{"namespace":"app"}})");
  CHECK(schedule_namespace_for(plain) == "app");
}

TEST_CASE("applicationActivated: body, message, static-copy rule", "[stork]") {
  CHECK(application_activated_patch_body(true, "11") ==
        R"({"metadata":{"resourceVersion":"11"},"status":{"applicationActivated":true}})");
  CHECK(
      application_activated_message("zookeeper", "migrationschedule", true) ==
      "Setting the ApplicationActivated status in the MigrationSchedule zookeeper/migrationschedule to true");
  auto plain = parse(kSchedule);
  CHECK(should_set_application_activated(plain, true));
  CHECK_FALSE(should_set_application_activated(plain, false));  // not a static copy
  auto copy = parse(R"({"metadata":{"annotations":{"stork.libopenstorage.org/static-copy":"true"}},
      "status":{"applicationActivated":true}})");
  CHECK(should_set_application_activated(copy, false));
  CHECK_FALSE(should_set_application_activated(copy, true));  // already true
}

TEST_CASE("migration rows with a summary", "[stork]") {
  auto doc = parse(R"({"metadata":{"name":"m","namespace":"zk","creationTimestamp":"2022-12-01T23:30:50Z",
      "annotations":{"stork.libopenstorage.org/migration-schedule-name":"migrationschedule"}},
      "spec":{"clusterPair":"remotecluster"},
      "status":{"stage":"Final","status":"Successful","summary":{"totalNumberOfVolumes":1,"numOfMigratedVolumes":1,
        "totalNumberOfResources":7,"numOfMigratedResources":7,"totalBytesMigrated":12345,
        "elapsedTimeForVolumeMigration":"5s","elapsedTimeForResourceMigration":"4s"}}})");
  auto row = migration_row(doc, TimePoint{});
  CHECK(row.cluster_pair == "remotecluster");
  CHECK(row.stage == "Final");
  CHECK(row.status == "Successful");
  CHECK(row.volumes == "1/1");
  CHECK(row.resources == "7/7");
  CHECK(row.elapsed_text == "Volumes (5s) Resources (4s)");
  CHECK(row.total_bytes == "12345");
  CHECK(row.schedule_name == "migrationschedule");
}

TEST_CASE("migration rows without a summary", "[stork]") {
  auto doc = parse(R"({"metadata":{"name":"m","namespace":"zk","creationTimestamp":"2022-12-01T23:30:00Z"},
      "spec":{"clusterPair":"p","includeVolumes":false},
      "status":{"stage":"Applications","status":"InProgress","resources":[{"status":"Successful"},{"status":"InProgress"}]}})");
  auto now = *parse_kube_time("2022-12-01T23:31:30Z");
  auto row = migration_row(doc, now);
  CHECK(row.volumes == "N/A");
  CHECK(row.resources == "1/2");
  REQUIRE(row.elapsed);
  CHECK(*row.elapsed == 90s);
  CHECK(row.total_bytes == "Available with stork v2.9.0+");
}

TEST_CASE("apps status rows", "[stork]") {
  auto targets = activation_targets({});
  const Target& sts = targets[0];
  auto zk = parse(R"({"metadata":{"name":"zk","namespace":"zookeeper",
      "annotations":{"stork.libopenstorage.org/migrationReplicas":"3"}},"spec":{"replicas":0},"status":{}})");
  auto row = app_status_row(sts, zk);
  CHECK(row.kind == "StatefulSet");
  CHECK(row.desired == 3);
  CHECK(row.current == 0);
  CHECK(row.ready == 0);
  CHECK_FALSE(row.activated);
  auto up = parse(
      R"({"metadata":{"name":"zk","namespace":"zookeeper"},"spec":{"replicas":3},"status":{"readyReplicas":3}})");
  auto up_row = app_status_row(sts, up);
  CHECK(up_row.activated);
  CHECK_FALSE(up_row.desired);
  CHECK(up_row.state == "3/3 ready");
  const Target& cron = targets.back();
  auto suspended = parse(R"({"metadata":{"name":"c","namespace":"zookeeper"},"spec":{"suspend":true}})");
  CHECK_FALSE(app_status_row(cron, suspended).activated);
}

TEST_CASE("application registrations parse", "[stork]") {
  auto doc =
      parse(R"({"metadata":{"name":"kafka"},"resources":[{"group":"kafka.strimzi.io","version":"v1beta2",
      "kind":"Kafka","keepStatus":false,"suspendOptions":{"path":"spec.kafka.replicas","type":"int"},
      "customSuspendOptions":[{"path":"spec.zookeeper.replicas","type":"int","value":""}],"podsPath":"",
      "stashStrategy":{"stashCR":true}}]})");
  auto reg = parse_application_registration(doc);
  REQUIRE(reg);
  REQUIRE(reg->resources.size() == 1);
  const auto& r = reg->resources[0];
  CHECK(r.api_version() == "kafka.strimzi.io/v1beta2");
  CHECK(r.stash_cr);
  auto options = r.all_suspend_options();
  REQUIRE(options.size() == 2);
  CHECK(options[0].path == "spec.zookeeper.replicas");  // nested first, as Stork applies them
  CHECK(options[1].value_type() == SuspendValueType::Int);
  CHECK_FALSE(parse_application_registration(parse(R"({"resources":[{"kind":"X"}]})")));
  CHECK_FALSE(parse_application_registration(parse(R"({"resources":{}})")));
}
