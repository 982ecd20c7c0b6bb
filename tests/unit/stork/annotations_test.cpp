#include <catch2/catch.hpp>

#include "dr/stork/annotations.hpp"
#include "support/stork_test_util.hpp"

using dr::stork::parse_replica_count;
using dr::stork::read_migration_replicas;
using stork_test::parse;

TEST_CASE("replica counts parse strictly", "[stork]") {
  CHECK(*parse_replica_count("3") == 3);
  CHECK(*parse_replica_count("0") == 0);
  CHECK(*parse_replica_count("+2") == 2);
  CHECK(*parse_replica_count("2147483647") == 2147483647);
  for (const char* bad :
       {"abc", "-1", "1.5", "", " 3", "3 ", "2147483648", "99999999999999999999", "+", "0x3"}) {
    INFO(bad);
    CHECK_FALSE(parse_replica_count(bad));
  }
}

TEST_CASE("missing annotation is not present", "[stork]") {
  auto obj = parse(R"({"metadata":{"name":"zk"}})");
  auto r = read_migration_replicas(obj);
  CHECK_FALSE(r.present);
  CHECK_FALSE(r.ok());
}

TEST_CASE("libopenstorage spelling is read", "[stork]") {
  auto obj = parse(R"({"metadata":{"annotations":{"stork.libopenstorage.org/migrationReplicas":"3"}}})");
  auto r = read_migration_replicas(obj);
  REQUIRE(r.ok());
  CHECK(r.value == 3);
  CHECK(r.key == dr::stork::annotations::kMigrationReplicas);
}

TEST_CASE("docs spelling is read when alone", "[stork]") {
  auto obj = parse(R"({"metadata":{"annotations":{"stork.openstorage.org/migrationReplicas":"5"}}})");
  auto r = read_migration_replicas(obj);
  REQUIRE(r.ok());
  CHECK(r.value == 5);
  CHECK(r.key == dr::stork::annotations::kMigrationReplicasDocsSpelling);
}

TEST_CASE("libopenstorage spelling wins and disagreement is noted", "[stork]") {
  auto obj = parse(R"({"metadata":{"annotations":{
      "stork.openstorage.org/migrationReplicas":"5","stork.libopenstorage.org/migrationReplicas":"3"}}})");
  auto r = read_migration_replicas(obj);
  REQUIRE(r.ok());
  CHECK(r.value == 3);
  CHECK(r.spellings_disagree);
  CHECK(r.disagreement_note().find("disagree") != std::string::npos);
}

TEST_CASE("agreeing spellings are not a disagreement", "[stork]") {
  auto obj = parse(R"({"metadata":{"annotations":{
      "stork.openstorage.org/migrationReplicas":"3","stork.libopenstorage.org/migrationReplicas":"3"}}})");
  CHECK_FALSE(read_migration_replicas(obj).spellings_disagree);
}

TEST_CASE("malformed annotation values are errors", "[stork]") {
  for (const char* bad : {"abc", "-1", "1.5", "", "4294967296"}) {
    INFO(bad);
    auto obj =
        parse(std::string(R"({"metadata":{"annotations":{"stork.libopenstorage.org/migrationReplicas":")") +
              bad + R"("}}})");
    auto r = read_migration_replicas(obj);
    CHECK(r.present);
    CHECK(r.error.has_value());
    CHECK_FALSE(r.ok());
  }
}

TEST_CASE("a malformed libopenstorage value falls back to a valid docs value, with a note", "[stork]") {
  auto obj = parse(R"({"metadata":{"annotations":{
      "stork.openstorage.org/migrationReplicas":"3","stork.libopenstorage.org/migrationReplicas":"x"}}})");
  auto r = read_migration_replicas(obj);
  REQUIRE(r.ok());
  CHECK(r.value == 3);
  CHECK(r.key == dr::stork::annotations::kMigrationReplicasDocsSpelling);
  REQUIRE(r.fallback_note.has_value());
  CHECK(r.fallback_note->find("\"x\"") != std::string::npos);
}

TEST_CASE("both spellings malformed is an error", "[stork]") {
  auto obj = parse(R"({"metadata":{"annotations":{
      "stork.openstorage.org/migrationReplicas":" 3","stork.libopenstorage.org/migrationReplicas":"1e9"}}})");
  auto r = read_migration_replicas(obj);
  CHECK(r.error.has_value());
  CHECK_FALSE(r.fallback_note.has_value());
}
