#include <catch2/catch.hpp>

#include <string>

#include "dr/stork/planner.hpp"
#include "support/stork_test_util.hpp"

using namespace dr::stork;
using stork_test::parse;

namespace {

const Target& target_for(const std::string& label) {
  static const std::vector<Target> targets = activation_targets({});
  for (const auto& t : targets) {
    if (t.label == label) return t;
  }
  throw std::runtime_error("no target " + label);
}

std::string workload(const std::string& replicas, const std::string& annotations,
                     const std::string& extra_meta = "") {
  std::string spec = replicas.empty() ? "{}" : R"({"replicas":)" + replicas + "}";
  return R"({"metadata":{"name":"zk","namespace":"zookeeper","resourceVersion":"42")" + extra_meta +
         (annotations.empty() ? "" : R"(,"annotations":{)" + annotations + "}") + R"(},"spec":)" + spec + "}";
}

const char* kAnn3 = R"("stork.libopenstorage.org/migrationReplicas":"3")";

}  // namespace

TEST_CASE("targets follow storkctl's order", "[stork]") {
  auto targets = activation_targets({});
  std::vector<std::string> labels;
  for (const auto& t : targets) labels.push_back(t.label);
  CHECK(labels == std::vector<std::string>{"statefulset", "deployment", "replicaset", "deploymentconfig",
                                           "ibppeer", "ibpca", "ibporderer", "ibpconsole", "virtualmachine",
                                           "cronjob"});
  CHECK(target_for("replicaset").skip_owned);
  CHECK(target_for("ibpca").type.plural == "ibpcas");
  CHECK(target_for("virtualmachine").registration.suspend_options.path == "spec.runStrategy");
}

TEST_CASE("activate: annotated statefulset is scaled to the recorded count", "[stork]") {
  auto obj = parse(workload("0", kAnn3));
  auto p = plan(Mode::ActivateMigration, target_for("statefulset"), obj);
  const auto* w = as_write(p);
  REQUIRE(w);
  CHECK(w->body == R"({"metadata":{"resourceVersion":"42"},"spec":{"replicas":3}})");
  CHECK(w->resource_version == "42");
  CHECK(w->from == "0");
  CHECK(w->to == "3");
  CHECK(w->success_message == "Updated replicas for statefulset zookeeper/zk to 3");
  CHECK(w->failure_message(dr::Error::make(dr::ErrorCode::Transport, "boom")) ==
        "Error updating replicas for statefulset zookeeper/zk : boom");
}

TEST_CASE("activate: already at the recorded count is unchanged", "[stork]") {
  auto obj = parse(workload("3", kAnn3));
  auto p = plan(Mode::ActivateMigration, target_for("deployment"), obj);
  REQUIRE(as_skip(p));
  CHECK(as_skip(p)->reason == SkipReason::Unchanged);
}

TEST_CASE("activate: workload without annotation is not touched", "[stork]") {
  auto obj = parse(workload("0", ""));
  auto p = plan(Mode::ActivateMigration, target_for("deployment"), obj);
  REQUIRE(as_skip(p));
  CHECK(as_skip(p)->reason == SkipReason::NotManaged);
  CHECK(as_skip(p)->message.empty());
}

TEST_CASE("activate: malformed annotations are never written", "[stork]") {
  for (const char* bad : {"abc", "-1", "1.5", ""}) {
    INFO(bad);
    auto obj =
        parse(workload("0", std::string(R"("stork.libopenstorage.org/migrationReplicas":")") + bad + "\""));
    auto p = plan(Mode::ActivateMigration, target_for("deployment"), obj);
    REQUIRE(as_skip(p));
    CHECK(as_skip(p)->reason == SkipReason::Malformed);
    CHECK(as_skip(p)->message.rfind("Error parsing replicas for app : ", 0) == 0);
  }
}

TEST_CASE("activate: docs spelling works; disagreement uses libopenstorage and warns", "[stork]") {
  auto docs = parse(workload("0", R"("stork.openstorage.org/migrationReplicas":"2")"));
  auto p = plan(Mode::ActivateMigration, target_for("deployment"), docs);
  REQUIRE(as_write(p));
  CHECK(as_write(p)->to == "2");

  auto both = parse(workload("0", R"("stork.openstorage.org/migrationReplicas":"2",)" + std::string(kAnn3)));
  auto q = plan(Mode::ActivateMigration, target_for("deployment"), both);
  REQUIRE(as_write(q));
  CHECK(as_write(q)->to == "3");
  REQUIRE(as_write(q)->warnings.size() == 1);
}

TEST_CASE("owned replicasets are skipped", "[stork]") {
  auto obj = parse(workload("0", kAnn3, R"(,"ownerReferences":[{"kind":"Deployment","name":"zk"}])"));
  auto p = plan(Mode::ActivateMigration, target_for("replicaset"), obj);
  REQUIRE(as_skip(p));
  CHECK(as_skip(p)->reason == SkipReason::Owned);
  auto free = parse(workload("0", kAnn3, R"(,"ownerReferences":[])"));
  CHECK(as_write(plan(Mode::ActivateMigration, target_for("replicaset"), free)));
}

TEST_CASE("IBP and DeploymentConfig use the replica annotation", "[stork]") {
  auto obj = parse(workload("0", kAnn3));
  auto ibp = plan(Mode::ActivateMigration, target_for("ibppeer"), obj);
  REQUIRE(as_write(ibp));
  CHECK(as_write(ibp)->success_message == "Updated replicas for ibppeer zookeeper/zk to 3");
  auto dc = plan(Mode::ActivateMigration, target_for("deploymentconfig"), obj);
  REQUIRE(as_write(dc));
  CHECK(as_write(dc)->success_message == "Updated replicas for deploymentconfig zookeeper/zk to 3");
}

TEST_CASE("deactivate migration: annotated workload to 0, guarded by its resourceVersion", "[stork]") {
  auto obj = parse(workload("3", kAnn3));
  auto p = plan(Mode::DeactivateMigration, target_for("statefulset"), obj);
  REQUIRE(as_write(p));
  CHECK(as_write(p)->body == R"({"metadata":{"resourceVersion":"42"},"spec":{"replicas":0}})");
  CHECK(as_write(p)->resource_version == "42");
  CHECK(as_write(p)->success_message == "Updated replicas for statefulset zookeeper/zk to 0");
}

TEST_CASE("deactivate migration: unannotated untouched, at 0 unchanged", "[stork]") {
  CHECK(
      as_skip(plan(Mode::DeactivateMigration, target_for("deployment"), parse(workload("3", ""))))->reason ==
      SkipReason::NotManaged);
  CHECK(as_skip(plan(Mode::DeactivateMigration, target_for("deployment"), parse(workload("0", kAnn3))))
            ->reason == SkipReason::Unchanged);
}

TEST_CASE("deactivate migration: malformed annotation is replaced by the live count", "[stork]") {
  auto obj = parse(workload("4", R"("stork.libopenstorage.org/migrationReplicas":"abc")"));
  auto p = plan(Mode::DeactivateMigration, target_for("deployment"), obj);
  REQUIRE(as_write(p));
  CHECK(
      as_write(p)->body ==
      R"({"metadata":{"resourceVersion":"42","annotations":{"stork.libopenstorage.org/migrationReplicas":"4"}},"spec":{"replicas":0}})");
}

TEST_CASE("deactivate apps: records the count and stops in one patch", "[stork]") {
  auto obj = parse(workload("5", ""));
  auto p = plan(Mode::DeactivateApps, target_for("deployment"), obj);
  REQUIRE(as_write(p));
  CHECK(
      as_write(p)->body ==
      R"({"metadata":{"resourceVersion":"42","annotations":{"stork.libopenstorage.org/migrationReplicas":"5"}},"spec":{"replicas":0}})");
  CHECK(as_write(p)->resource_version == "42");
  CHECK(as_write(p)->from == "5");
  CHECK(as_write(p)->to == "0");
}

TEST_CASE("deactivate apps: missing spec.replicas counts as 1", "[stork]") {
  auto p = plan(Mode::DeactivateApps, target_for("statefulset"), parse(workload("", "")));
  REQUIRE(as_write(p));
  CHECK(as_write(p)->body.find(R"("stork.libopenstorage.org/migrationReplicas":"1")") != std::string::npos);
}

TEST_CASE("deactivate apps: live count overrides a stale recorded one", "[stork]") {
  auto p = plan(Mode::DeactivateApps, target_for("deployment"), parse(workload("5", kAnn3)));
  REQUIRE(as_write(p));
  CHECK(as_write(p)->body.find(R"(migrationReplicas":"5")") != std::string::npos);
}

TEST_CASE("deactivate apps: never overwrites a recorded count with 0", "[stork]") {
  auto p = plan(Mode::DeactivateApps, target_for("deployment"), parse(workload("0", kAnn3)));
  REQUIRE(as_skip(p));
  CHECK(as_skip(p)->reason == SkipReason::Unchanged);
}

TEST_CASE("deactivate apps: at 0 with nothing recorded is reported, not written", "[stork]") {
  auto p = plan(Mode::DeactivateApps, target_for("deployment"), parse(workload("0", "")));
  REQUIRE(as_skip(p));
  CHECK(as_skip(p)->reason == SkipReason::Unchanged);
  CHECK_FALSE(as_skip(p)->message.empty());
}

TEST_CASE("deactivate apps: a count only in the docs spelling is copied to Stork's", "[stork]") {
  auto p = plan(Mode::DeactivateApps, target_for("deployment"),
                parse(workload("0", R"("stork.openstorage.org/migrationReplicas":"2")")));
  REQUIRE(as_write(p));
  CHECK(
      as_write(p)->body ==
      R"({"metadata":{"resourceVersion":"42","annotations":{"stork.libopenstorage.org/migrationReplicas":"2"}}})");
}

TEST_CASE("deactivate apps then activate restores the count", "[stork]") {
  auto before = parse(workload("7", ""));
  auto down = plan(Mode::DeactivateApps, target_for("statefulset"), before);
  REQUIRE(as_write(down));
  auto after = parse(workload("0", R"("stork.libopenstorage.org/migrationReplicas":"7")"));
  auto up = plan(Mode::ActivateMigration, target_for("statefulset"), after);
  REQUIRE(as_write(up));
  CHECK(as_write(up)->to == "7");
}

// ---- CronJobs

namespace {
std::string cronjob(const char* suspend, const std::string& annotations) {
  std::string spec = suspend == nullptr ? "{}" : std::string(R"({"suspend":)") + suspend + "}";
  return R"({"metadata":{"name":"backup","namespace":"zookeeper","resourceVersion":"9")" +
         (annotations.empty() ? "" : R"(,"annotations":{)" + annotations + "}") + R"(},"spec":)" + spec + "}";
}
const char* kMigrated = R"("stork.libopenstorage.org/migrated":"true")";
}  // namespace

TEST_CASE("cronjob activate: Stork-migrated suspended cronjob is resumed", "[stork]") {
  auto p = plan(Mode::ActivateMigration, target_for("cronjob"), parse(cronjob("true", kMigrated)));
  REQUIRE(as_write(p));
  CHECK(as_write(p)->body == R"({"metadata":{"resourceVersion":"9"},"spec":{"suspend":false}})");
  CHECK(as_write(p)->success_message == "Updated suspend option for cronjob zookeeper/backup to false");
  CHECK(as_write(p)->failure_prefix == "Error updating suspend option for cronJob zookeeper/backup : ");
}

TEST_CASE("cronjob activate: operator-suspended cronjob is left alone", "[stork]") {
  auto p = plan(Mode::ActivateMigration, target_for("cronjob"), parse(cronjob("true", "")));
  REQUIRE(as_skip(p));
  CHECK(as_skip(p)->reason == SkipReason::LeftAlone);
}

TEST_CASE("cronjob activate: running cronjob is unchanged", "[stork]") {
  CHECK(as_skip(plan(Mode::ActivateMigration, target_for("cronjob"), parse(cronjob("false", kMigrated))))
            ->reason == SkipReason::Unchanged);
  CHECK(as_skip(plan(Mode::ActivateMigration, target_for("cronjob"), parse(cronjob(nullptr, ""))))->reason ==
        SkipReason::Unchanged);
}

TEST_CASE("cronjob deactivate: records it was running", "[stork]") {
  for (auto mode : {Mode::DeactivateMigration, Mode::DeactivateApps}) {
    auto p = plan(mode, target_for("cronjob"), parse(cronjob("false", "")));
    REQUIRE(as_write(p));
    CHECK(
        as_write(p)->body ==
        R"({"metadata":{"resourceVersion":"9","annotations":{"dr.kubectl-dr.io/suspend-before-deactivate":"false"}},"spec":{"suspend":true}})");
    CHECK(as_write(p)->success_message == "Updated suspend option for cronjob zookeeper/backup to true");
  }
}

TEST_CASE("cronjob deactivate: already suspended is unchanged (no record)", "[stork]") {
  auto p = plan(Mode::DeactivateApps, target_for("cronjob"), parse(cronjob("true", "")));
  REQUIRE(as_skip(p));
  CHECK(as_skip(p)->reason == SkipReason::Unchanged);
}

TEST_CASE("cronjob activate: our record resumes and is removed", "[stork]") {
  auto p = plan(Mode::ActivateMigration, target_for("cronjob"),
                parse(cronjob("true", R"("dr.kubectl-dr.io/suspend-before-deactivate":"false")")));
  REQUIRE(as_write(p));
  CHECK(
      as_write(p)->body ==
      R"({"metadata":{"resourceVersion":"9","annotations":{"dr.kubectl-dr.io/suspend-before-deactivate":null}},"spec":{"suspend":false}})");
}

TEST_CASE("cronjob activate: record saying it was suspended keeps it suspended", "[stork]") {
  auto p = plan(Mode::ActivateMigration, target_for("cronjob"),
                parse(cronjob("true", R"("dr.kubectl-dr.io/suspend-before-deactivate":"true",)" +
                                          std::string(kMigrated))));
  REQUIRE(as_skip(p));
  CHECK(as_skip(p)->reason == SkipReason::LeftAlone);
}

TEST_CASE("cronjob activate: malformed record is not guessed", "[stork]") {
  auto p = plan(Mode::ActivateMigration, target_for("cronjob"),
                parse(cronjob("true", R"("dr.kubectl-dr.io/suspend-before-deactivate":"maybe")")));
  REQUIRE(as_skip(p));
  CHECK(as_skip(p)->reason == SkipReason::Malformed);
}

// ---- Custom resources

namespace {
Target cr_target(const std::string& type, const std::string& value, const std::string& path = "spec.replicas",
                 const std::string& pods_path = "") {
  auto registration = parse(R"({"metadata":{"name":"r"},"resources":[{"group":"example.com","version":"v1",
      "kind":"Widget","suspendOptions":{"path":")" +
                            path + R"(","type":")" + type + R"(","value":")" + value + R"("},"podsPath":")" +
                            pods_path + R"("}]})");
  auto parsed = parse_application_registration(registration);
  auto targets = activation_targets({*parsed});
  for (auto& t : targets) {
    if (t.type.kind == "Widget") return t;
  }
  throw std::runtime_error("no Widget target");
}
std::string widget(const std::string& spec, const std::string& annotations) {
  return R"({"metadata":{"name":"w","namespace":"ns","resourceVersion":"5")" +
         (annotations.empty() ? "" : R"(,"annotations":{)" + annotations + "}") + R"(},"spec":)" + spec + "}";
}
}  // namespace

TEST_CASE("registered CR kinds come after VMs and before cronjobs", "[stork]") {
  auto t = cr_target("int", "");
  CHECK(t.workload_class == WorkloadClass::CustomResource);
  CHECK(t.type.plural == "widgets");
  CHECK(t.label == "widget");
}

TEST_CASE("CR int option: activate from the per-path annotation", "[stork]") {
  auto obj = parse(widget(R"({"replicas":0})", R"("stork.libopenstorage.org/spec.replicas":"3,")"));
  auto p = plan(Mode::ActivateMigration, cr_target("int", ""), obj);
  REQUIRE(as_write(p));
  CHECK(as_write(p)->body == R"({"metadata":{"resourceVersion":"5"},"spec":{"replicas":3}})");
  CHECK(as_write(p)->success_message == "Updated CR for widget ns/w");
  CHECK(as_write(p)->failure_prefix == "Error updating CR widget ns/w: ");
}

TEST_CASE("CR int option: legacy activate annotation and malformed values", "[stork]") {
  auto legacy = parse(widget(R"({"replicas":0})", R"("stork.libopenstorage.org/migrationCRDActivate":"2")"));
  REQUIRE(as_write(plan(Mode::ActivateMigration, cr_target("int", ""), legacy)));
  auto bad = parse(widget(R"({"replicas":0})", R"("stork.libopenstorage.org/spec.replicas":"x,")"));
  auto p = plan(Mode::ActivateMigration, cr_target("int", ""), bad);
  REQUIRE(as_skip(p));
  CHECK(as_skip(p)->reason == SkipReason::Malformed);
  auto none = parse(widget(R"({"replicas":0})", ""));
  CHECK(as_skip(plan(Mode::ActivateMigration, cr_target("int", ""), none))->reason == SkipReason::NotManaged);
}

TEST_CASE("CR int option: deactivate apps records current,value", "[stork]") {
  auto obj = parse(widget(R"({"replicas":4})", ""));
  auto p = plan(Mode::DeactivateApps, cr_target("int", ""), obj);
  REQUIRE(as_write(p));
  CHECK(
      as_write(p)->body ==
      R"({"metadata":{"resourceVersion":"5","annotations":{"stork.libopenstorage.org/spec.replicas":"4,"}},"spec":{"replicas":0}})");
  auto stopped = parse(widget(R"({"replicas":0})", R"("stork.libopenstorage.org/spec.replicas":"4,")"));
  CHECK(as_skip(plan(Mode::DeactivateApps, cr_target("int", ""), stopped))->reason == SkipReason::Unchanged);
}

TEST_CASE("CR bool option: activation flips the suspend value", "[stork]") {
  auto obj = parse(widget(R"({"paused":true})", R"("stork.libopenstorage.org/migrated":"true")"));
  auto p = plan(Mode::ActivateMigration, cr_target("bool", "", "spec.paused"), obj);
  REQUIRE(as_write(p));
  CHECK(as_write(p)->body == R"({"metadata":{"resourceVersion":"5"},"spec":{"paused":false}})");
  // value "false" means "false suspends": activation sets true.
  auto inverted = parse(widget(R"({"enabled":false})", R"("stork.libopenstorage.org/migrated":"true")"));
  auto q = plan(Mode::ActivateMigration, cr_target("bool", "false", "spec.enabled"), inverted);
  REQUIRE(as_write(q));
  CHECK(as_write(q)->to == "true");
}

TEST_CASE("CR bool option: deactivate migration sets the suspend value", "[stork]") {
  auto obj = parse(widget(R"({"stopped":false})", R"("stork.libopenstorage.org/migrated":"true")"));
  auto p = plan(Mode::DeactivateMigration, cr_target("bool", "", "spec.stopped"), obj);
  REQUIRE(as_write(p));
  CHECK(as_write(p)->to == "true");
}

TEST_CASE("CR string option: activate/deactivate from the recorded pair", "[stork]") {
  auto obj = parse(widget(R"({"serverStartPolicy":"NEVER"})",
                          R"("stork.libopenstorage.org/spec.serverStartPolicy":"IF_NEEDED,NEVER")"));
  auto up = plan(Mode::ActivateMigration, cr_target("string", "NEVER", "spec.serverStartPolicy"), obj);
  REQUIRE(as_write(up));
  CHECK(as_write(up)->to == "IF_NEEDED");
  CHECK(as_skip(plan(Mode::DeactivateMigration, cr_target("string", "NEVER", "spec.serverStartPolicy"), obj))
            ->reason == SkipReason::Unchanged);
  auto bad = parse(widget(R"({"serverStartPolicy":"NEVER"})",
                          R"("stork.libopenstorage.org/spec.serverStartPolicy":"a,b,c")"));
  CHECK(as_skip(plan(Mode::ActivateMigration, cr_target("string", "NEVER", "spec.serverStartPolicy"), bad))
            ->reason == SkipReason::Malformed);
}

TEST_CASE("CR unknown option type is malformed", "[stork]") {
  auto obj = parse(widget(R"({"replicas":1})", R"("stork.libopenstorage.org/migrated":"true")"));
  CHECK(as_skip(plan(Mode::ActivateMigration, cr_target("float", ""), obj))->reason == SkipReason::Malformed);
}

TEST_CASE("CR deactivation lists pods to delete", "[stork]") {
  auto obj = parse(R"({"metadata":{"name":"w","namespace":"ns","resourceVersion":"5"},
      "spec":{"replicas":2},"status":{"members":{"ready":["w-0","w-1"]}}})");
  auto p = plan(Mode::DeactivateApps, cr_target("int", "", "spec.replicas", "status.members.ready"), obj);
  REQUIRE(as_write(p));
  CHECK(as_write(p)->pods_to_delete == std::vector<std::string>{"w-0", "w-1"});
}

TEST_CASE("nested (customSuspendOptions) and main options go in one patch", "[stork]") {
  auto registration = parse(R"({"metadata":{"name":"r"},"resources":[{"group":"example.com","version":"v1",
      "kind":"Widget","suspendOptions":{"path":"spec.replicas","type":"int"},
      "customSuspendOptions":[{"path":"spec.sub.size","type":"int"}]}]})");
  auto targets = activation_targets({*parse_application_registration(registration)});
  const Target* widget_target = nullptr;
  for (const auto& t : targets) {
    if (t.type.kind == "Widget") widget_target = &t;
  }
  REQUIRE(widget_target);
  auto obj = parse(
      R"({"metadata":{"name":"w","namespace":"ns","resourceVersion":"5"},"spec":{"replicas":2,"sub":{"size":3}}})");
  auto p = plan(Mode::DeactivateApps, *widget_target, obj);
  REQUIRE(as_write(p));
  CHECK(
      as_write(p)->body ==
      R"({"metadata":{"resourceVersion":"5","annotations":{"stork.libopenstorage.org/spec.sub.size":"3,","stork.libopenstorage.org/spec.replicas":"2,"}},"spec":{"sub":{"size":0},"replicas":0}})");
}

// ---- VirtualMachines

TEST_CASE("VM activate sets runStrategy from the recorded pair and drops spec.running", "[stork]") {
  auto obj = parse(R"({"metadata":{"name":"vm1","namespace":"vms","resourceVersion":"3",
      "annotations":{"stork.libopenstorage.org/spec.runStrategy":"Always,Halted"}},
      "spec":{"runStrategy":"Halted","running":false}})");
  auto p = plan(Mode::ActivateMigration, target_for("virtualmachine"), obj);
  REQUIRE(as_write(p));
  CHECK(as_write(p)->body ==
        R"({"metadata":{"resourceVersion":"3"},"spec":{"runStrategy":"Always","running":null}})");
  CHECK(as_write(p)->success_message == "Updated CR for virtualmachine vms/vm1");
}

TEST_CASE("VM without Stork's record is not activated", "[stork]") {
  auto obj = parse(
      R"({"metadata":{"name":"vm1","namespace":"vms","resourceVersion":"3"},"spec":{"runStrategy":"Halted"}})");
  CHECK(as_skip(plan(Mode::ActivateMigration, target_for("virtualmachine"), obj))->reason ==
        SkipReason::NotManaged);
}

TEST_CASE("VM deactivate apps records the running state", "[stork]") {
  auto obj =
      parse(R"({"metadata":{"name":"vm1","namespace":"vms","resourceVersion":"3"},"spec":{"running":true}})");
  auto p = plan(Mode::DeactivateApps, target_for("virtualmachine"), obj);
  REQUIRE(as_write(p));
  CHECK(
      as_write(p)->body ==
      R"({"metadata":{"resourceVersion":"3","annotations":{"stork.libopenstorage.org/spec.runStrategy":"Always,Halted"}},"spec":{"runStrategy":"Halted","running":null}})");
}

TEST_CASE("guess_plural follows Kubernetes' rules", "[stork]") {
  CHECK(guess_plural("Kafka") == "kafkas");
  CHECK(guess_plural("Policy") == "policies");
  CHECK(guess_plural("Gateway") == "gateways");
  CHECK(guess_plural("Ingress") == "ingresses");
  CHECK(guess_plural("IBPCA") == "ibpcas");
}

// --- issue 25.3: a recorded 0 on a running workload is a conflict, never a count.
TEST_CASE("deactivate migration: a recorded 0 on a running workload is a conflict, not written", "[stork]") {
  auto obj = parse(workload("3", R"("stork.libopenstorage.org/migrationReplicas":"0")"));
  auto p = plan(Mode::DeactivateMigration, target_for("deployment"), obj);
  REQUIRE(as_skip(p));
  CHECK(as_skip(p)->reason == SkipReason::Conflict);
  CHECK(as_skip(p)->message.find("records 0") != std::string::npos);
  // Activation never applies it either, --force or not.
  auto a = plan(Mode::ActivateMigration, target_for("deployment"), obj, PlanOptions{true});
  REQUIRE(as_skip(a));
  CHECK(as_skip(a)->reason == SkipReason::Conflict);
  // At 0 there is nothing to contradict.
  CHECK(as_skip(plan(Mode::DeactivateMigration, target_for("deployment"),
                     parse(workload("0", R"("stork.libopenstorage.org/migrationReplicas":"0")"))))
            ->reason == SkipReason::Unchanged);
}

// --- issue 25.4: the annotation's hostile spellings.
TEST_CASE("activate: a malformed libopenstorage count falls back to a valid docs one, with a warning",
          "[stork]") {
  auto obj = parse(workload(
      "0",
      R"("stork.libopenstorage.org/migrationReplicas":" 3","stork.openstorage.org/migrationReplicas":"2")"));
  auto p = plan(Mode::ActivateMigration, target_for("deployment"), obj);
  REQUIRE(as_write(p));
  CHECK(as_write(p)->to == "2");
  REQUIRE(as_write(p)->warnings.size() == 1);
  CHECK(as_write(p)->warnings.front().find("using stork.openstorage.org/migrationReplicas") !=
        std::string::npos);
}

TEST_CASE("activate: a count above the plausible bound is applied with a warning; beyond int32 refused",
          "[stork]") {
  auto big = parse(workload("0", R"("stork.libopenstorage.org/migrationReplicas":"20000")"));
  auto p = plan(Mode::ActivateMigration, target_for("deployment"), big);
  REQUIRE(as_write(p));
  CHECK(as_write(p)->to == "20000");
  REQUIRE(as_write(p)->warnings.size() == 1);
  CHECK(as_write(p)->warnings.front().find("above 10000") != std::string::npos);
  auto at_bound = parse(workload("0", R"("stork.libopenstorage.org/migrationReplicas":"10000")"));
  CHECK(as_write(plan(Mode::ActivateMigration, target_for("deployment"), at_bound))->warnings.empty());
  for (const char* bad : {"2147483648", "1e9", " 3", "-1", "abc"}) {
    INFO(bad);
    auto obj =
        parse(workload("0", std::string(R"("stork.libopenstorage.org/migrationReplicas":")") + bad + "\""));
    auto q = plan(Mode::ActivateMigration, target_for("deployment"), obj);
    REQUIRE(as_skip(q));
    CHECK(as_skip(q)->reason == SkipReason::Malformed);
  }
}

// --- issue 25.12: activation only scales up.
TEST_CASE("activate: a workload running above its recorded count is skipped unless forced", "[stork]") {
  auto obj = parse(workload("5", kAnn3));
  auto p = plan(Mode::ActivateMigration, target_for("statefulset"), obj);
  REQUIRE(as_skip(p));
  CHECK(as_skip(p)->reason == SkipReason::Running);
  CHECK(to_string(as_skip(p)->reason) == "running");
  CHECK(as_skip(p)->message ==
        "Skipped statefulset zookeeper/zk: running at 5 replicas (recorded 3); --force "
        "scales it to 3");
  auto forced = plan(Mode::ActivateMigration, target_for("statefulset"), obj, PlanOptions{true});
  REQUIRE(as_write(forced));
  CHECK(as_write(forced)->to == "3");
  // Below its count (a partial start) is scaled up as before.
  auto below = plan(Mode::ActivateMigration, target_for("statefulset"), parse(workload("1", kAnn3)));
  REQUIRE(as_write(below));
  CHECK(as_write(below)->to == "3");
}

// --- issue 26.19: a lower live count never overwrites the recorded one unless asked.
TEST_CASE("deactivate apps: a lower live count keeps the recorded one unless forced", "[stork]") {
  auto obj = parse(workload("2", kAnn3));
  auto p = plan(Mode::DeactivateApps, target_for("deployment"), obj);
  REQUIRE(as_write(p));
  CHECK(as_write(p)->body == R"({"metadata":{"resourceVersion":"42"},"spec":{"replicas":0}})");
  REQUIRE(as_write(p)->warnings.size() == 1);
  CHECK(as_write(p)->warnings.front().find("kept its recorded count 3 (live 2)") != std::string::npos);
  auto forced = plan(Mode::DeactivateApps, target_for("deployment"), obj, PlanOptions{true});
  REQUIRE(as_write(forced));
  CHECK(as_write(forced)->body.find(R"(migrationReplicas":"2")") != std::string::npos);
}

TEST_CASE("deactivate migration: a running workload's valid recorded count is never rewritten", "[stork]") {
  auto p = plan(Mode::DeactivateMigration, target_for("deployment"), parse(workload("2", kAnn3)));
  REQUIRE(as_write(p));
  CHECK(as_write(p)->body.find("annotations") == std::string::npos);
}

// --- issue 26.18: Stork's other marks of a migration count as `migrated`.
TEST_CASE("cronjob activate: suspended by a migration without the migrated annotation is resumed",
          "[stork]") {
  for (const char* marks : {R"("stork.libopenstorage.org/migrationName":"m-1")",
                            R"("stork.libopenstorage.org/migrationNamespace":"zookeeper")"}) {
    INFO(marks);
    auto p = plan(Mode::ActivateMigration, target_for("cronjob"), parse(cronjob("true", marks)));
    REQUIRE(as_write(p));
    CHECK(as_write(p)->to == "false");
  }
  auto labelled = parse(
      R"({"metadata":{"name":"backup","namespace":"zookeeper","resourceVersion":"9","labels":{"stork.libopenstorage.org/migrated":"true"}},"spec":{"suspend":true}})");
  REQUIRE(as_write(plan(Mode::ActivateMigration, target_for("cronjob"), labelled)));
}
