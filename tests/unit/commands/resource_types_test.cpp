// --resource-types entries that match no kind the activation walks are reported (a typo must not
// narrow a failover to nothing); aliases, plurals and GROUP/VERSION/KIND all count as matches.
#include <catch2/catch.hpp>

#include "dr/stork/planner.hpp"
#include "dr/stork/selection.hpp"

using namespace dr::stork;

namespace {
std::vector<dr::kube::ResourceType> walked_types() {
  std::vector<dr::kube::ResourceType> types;
  for (const auto& target : activation_targets({})) types.push_back(target.type);
  return types;
}

Selection with_types(std::vector<std::string> resource_types) {
  SelectionFlags flags;
  flags.namespace_flag = "shop";
  flags.resource_types = std::move(resource_types);
  auto selection = Selection::from_flags(flags);
  REQUIRE(selection);
  return std::move(selection).value();
}
}  // namespace

TEST_CASE("resource types: kinds, plurals, short names and G/V/K of walked kinds all match", "[commands]") {
  auto selection = with_types({"StatefulSet", "deployments", "rs", "cj", "apps/v1/Deployment", "dc"});
  CHECK(selection.unmatched_resource_types(walked_types()).empty());
}

TEST_CASE("resource types: kinds activation never walks are reported as typed", "[commands]") {
  auto selection = with_types({"sts", "Pod", "configmap", "batch/v2/CronJob"});
  auto unmatched = selection.unmatched_resource_types(walked_types());
  REQUIRE(unmatched.size() == 3);
  CHECK(unmatched[0] == "pod");
  CHECK(unmatched[1] == "configmap");
  CHECK(unmatched[2] == "batch/v2/cronjob");  // CronJobs are walked at batch/v1 only
}

TEST_CASE("resource types: no --resource-types means nothing unmatched", "[commands]") {
  auto selection = with_types({});
  CHECK(selection.unmatched_resource_types(walked_types()).empty());
  CHECK(selection.unmatched_resource_types({}).empty());
}

TEST_CASE("resource types: a registered custom resource kind matches once it is a target", "[commands]") {
  ApplicationResource kafka;
  kafka.group = "kafka.strimzi.io";
  kafka.version = "v1beta2";
  kafka.kind = "Kafka";
  SuspendOption option;
  option.path = "spec.kafka.replicas";
  option.type = "int";
  kafka.nested_suspend_options.push_back(option);
  ApplicationRegistration registration;
  registration.name = "kafka";
  registration.resources.push_back(kafka);
  std::vector<dr::kube::ResourceType> types;
  for (const auto& target : activation_targets({registration})) types.push_back(target.type);
  CHECK(with_types({"Kafka", "kafka.strimzi.io/v1beta2/Kafka"}).unmatched_resource_types(types).empty());
  CHECK(with_types({"kafka.strimzi.io/v1/Kafka"}).unmatched_resource_types(types) ==
        std::vector<std::string>{"kafka.strimzi.io/v1/kafka"});
  CHECK(with_types({"kafka"}).unmatched_resource_types(types).empty());
  CHECK(with_types({"kafka"}).unmatched_resource_types(walked_types()) == std::vector<std::string>{"kafka"});
}

TEST_CASE("selector errors quote the bad requirement once, the whole selector only when longer",
          "[commands]") {
  auto alone = parse_label_selector("tier in (db");
  REQUIRE_FALSE(alone);
  CHECK(alone.error().message == "missing ')' in \"tier in (db\"");
  auto within = parse_label_selector("app=zk, tier in (db");
  REQUIRE_FALSE(within);
  CHECK(within.error().message == "missing ')' in \"tier in (db\" in selector \"app=zk, tier in (db\"");
}
