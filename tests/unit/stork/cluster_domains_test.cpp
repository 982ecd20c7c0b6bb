#include <catch2/catch.hpp>

#include <chrono>
#include <regex>

#include "dr/stork/cluster_domains.hpp"
#include "support/stork_test_util.hpp"

using namespace dr::stork;
using stork_test::parse;

namespace {
// The documented runbook's state after `deactivate clusterdomain us-east-1a`.
const char* kStatuses = R"([{"metadata":{"name":"px-dr-cluster","creationTimestamp":"2026-11-24T05:04:00Z"},
  "status":{"localDomain":"us-east-1b","clusterDomainInfos":[
    {"name":"us-east-1a","state":"Inactive","syncStatus":"SyncStatusUnknown"},
    {"name":"us-east-1b","state":"Active","syncStatus":"SyncStatusUnknown"}]}}])";
}  // namespace

TEST_CASE("cluster domains status rows match storkctl's sample", "[stork]") {
  auto doc = parse(kStatuses);
  auto rows = cluster_domains_status_rows(doc);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].name == "px-dr-cluster");
  CHECK(rows[0].local_domain == "us-east-1b");
  CHECK(rows[0].active == "us-east-1b (SyncStatusUnknown)");
  CHECK(rows[0].inactive == "us-east-1a (SyncStatusUnknown)");
  REQUIRE(rows[0].created);
  using namespace std::chrono;
  CHECK(*rows[0].created == sys_days{year{2026} / November / 24} + hours{5} + minutes{4});
}

TEST_CASE("several domains in a column are joined with comma-space", "[stork]") {
  auto doc = parse(R"([{"metadata":{"name":"c"},"status":{"clusterDomainInfos":[
    {"name":"a","state":"Active","syncStatus":"InSync"},{"name":"b","state":"Active","syncStatus":"NotInSync"}]}}])");
  auto rows = cluster_domains_status_rows(doc);
  CHECK(rows[0].active == "a (InSync), b (NotInSync)");
  CHECK(rows[0].inactive.empty());
  CHECK_FALSE(rows[0].created);
}

TEST_CASE("find_domain and domains_in_state", "[stork]") {
  auto doc = parse(kStatuses);
  auto rows = cluster_domains_status_rows(doc);
  CHECK(find_domain(rows, "us-east-1a") == DomainState::Inactive);
  CHECK(find_domain(rows, "us-east-1b") == DomainState::Active);
  CHECK_FALSE(find_domain(rows, "nope"));
  CHECK(domains_in_state(rows, DomainState::Inactive) == std::vector<std::string>{"us-east-1a"});
}

TEST_CASE("messages", "[stork]") {
  CHECK(domain_operation_started_message("us-east-1a", false) ==
        "Cluster Domain deactivate operation started successfully for us-east-1a");
  CHECK(domain_operation_started_message("us-east-1a", true) ==
        "Cluster Domain activate operation started successfully for us-east-1a");
  CHECK(domain_not_found_message("nope") == "provided cluster domain nope not found");
  CHECK(domain_already_message("a", true).find("already active") != std::string::npos);
}

TEST_CASE("CDU naming: one base, suffixed only when several", "[stork]") {
  CHECK(cluster_domain_update_names("abc", 1) == std::vector<std::string>{"abc"});
  CHECK(cluster_domain_update_names("abc", 3) == std::vector<std::string>{"abc-0", "abc-1", "abc-2"});
  CHECK(cluster_domain_update_names("abc", 0).empty());
}

TEST_CASE("UUIDs are version 4", "[stork]") {
  std::regex v4("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  CHECK(std::regex_match(uuid_v4_from(0, 0), v4));
  CHECK(uuid_v4_from(~0ULL, ~0ULL) == "ffffffff-ffff-4fff-bfff-ffffffffffff");
  auto a = random_uuid_v4();
  CHECK(std::regex_match(a, v4));
  CHECK(a != random_uuid_v4());
}

TEST_CASE("ClusterDomainUpdate body", "[stork]") {
  auto body = cluster_domain_update_body("e5dc", "us-east-1a", false);
  CHECK(
      body ==
      R"({"apiVersion":"stork.libopenstorage.org/v1alpha1","kind":"ClusterDomainUpdate","metadata":{"name":"e5dc"},"spec":{"clusterdomain":"us-east-1a","active":false}})");
  CHECK_FALSE(parse(body).HasParseError());
}

TEST_CASE("CDU rows", "[stork]") {
  auto doc = parse(R"([{"metadata":{"name":"e5dcdab9-38fb-4603-8e4e-25e2cfe5487b"},
      "spec":{"clusterdomain":"us-east-1a","active":false},"status":{"status":"Successful"}},
      {"metadata":{"name":"x","creationTimestamp":"2022-11-29T22:09:00Z"},"spec":{"clusterdomain":"b","active":true}}])");
  auto rows = cluster_domain_update_rows(doc);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].cluster_domain == "us-east-1a");
  CHECK(rows[0].action == "Deactivate");
  CHECK(rows[0].status == "Successful");
  CHECK_FALSE(rows[0].created);
  CHECK(rows[1].action == "Activate");
  CHECK(rows[1].status.empty());
  CHECK(rows[1].created);
}

TEST_CASE("deactivating the local domain or the last active one is a hazard", "[stork]") {
  auto doc = parse(kStatuses);  // local us-east-1b (Active), us-east-1a Inactive
  auto rows = cluster_domains_status_rows(doc);
  CHECK(deactivation_hazard(rows, {"us-east-1b"}) ==
        "us-east-1b is the local cluster domain (the one this context talks to)");
  CHECK(deactivation_hazard(rows, {"us-east-1a"}).empty());
  rows[0].local_domain = "elsewhere";
  CHECK(deactivation_hazard(rows, {"us-east-1b"}) == "no cluster domain would be left active");
}

TEST_CASE("a pending update for the same domain and direction is found; decided ones are not", "[stork]") {
  auto doc = parse(R"([
    {"metadata":{"name":"done"},"spec":{"clusterdomain":"a","active":true},"status":{"status":"Successful"}},
    {"metadata":{"name":"other-way"},"spec":{"clusterdomain":"a","active":false}},
    {"metadata":{"name":"failed"},"spec":{"clusterdomain":"a","active":true},"status":{"status":"Failed"}},
    {"metadata":{"name":"waiting"},"spec":{"clusterdomain":"a","active":true},"status":{"status":"Pending"}}])");
  auto rows = cluster_domain_update_rows(doc);
  CHECK(pending_update_for(rows, "a", true) == std::optional<std::string>("waiting"));
  CHECK(pending_update_for(rows, "a", false) == std::optional<std::string>("other-way"));
  CHECK_FALSE(pending_update_for(rows, "b", true));
}
