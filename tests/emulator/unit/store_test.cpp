#include <catch2/catch.hpp>

#include <memory>
#include <thread>

#include "test_util.hpp"
#include "validation.hpp"

using emu::test::Fixture;
using emu::test::json;
using emu::test::status_of;

TEST_CASE("create fills system fields and answers AlreadyExists", "[emulator][store]") {
  Fixture f;
  auto obj = f.sts("default", "zk");
  CHECK(emu::str_at(*obj, {"metadata", "uid"}).size() == 36);
  CHECK(!emu::str_at(*obj, {"metadata", "resourceVersion"}).empty());
  CHECK(!emu::str_at(*obj, {"metadata", "creationTimestamp"}).empty());
  CHECK((*obj)["metadata"]["generation"].GetInt() == 1);
  CHECK(emu::str_at(*obj, {"metadata", "namespace"}) == "default");
  auto e = status_of([&] { f.sts("default", "zk"); });
  CHECK(e.code == 409);
  CHECK(e.reason == "AlreadyExists");
  CHECK(e.message == R"(statefulsets.apps "zk" already exists)");
  CHECK(
      e.to_json() ==
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"statefulsets.apps \"zk\" already exists","reason":"AlreadyExists","details":{"name":"zk","group":"apps","kind":"statefulsets"},"code":409})");
}

TEST_CASE("create in a missing namespace is 404, namespace mismatch 400, generateName works",
          "[emulator][store]") {
  Fixture f;
  auto e = status_of([&] { f.sts("nope", "zk"); });
  CHECK(e.code == 404);
  CHECK(e.message == R"(namespaces "nope" not found)");
  auto mismatch = json(Fixture::sts_json("zk", 1));
  mismatch["metadata"].AddMember("namespace", "other", mismatch.GetAllocator());
  auto e2 = status_of([&] { f.store.create(*f.statefulsets, "default", std::move(mismatch)); });
  CHECK(e2.code == 400);
  CHECK(e2.message ==
        "the namespace of the provided object does not match the namespace sent on the request");
  auto gen = f.store.create(*f.configmaps, "default", json(R"({"metadata":{"generateName":"cfg-"}})"));
  std::string name = emu::str_at(*gen, {"metadata", "name"});
  CHECK(name.rfind("cfg-", 0) == 0);
  CHECK(name.size() == 9);
}

TEST_CASE("validation: names, replicas, required fields", "[emulator][store][validation]") {
  Fixture f;
  auto e = status_of([&] { f.sts("default", "zk", -1); });
  CHECK(e.code == 422);
  CHECK(e.reason == "Invalid");
  CHECK(
      e.message ==
      R"(StatefulSet.apps "zk" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0)");
  REQUIRE(e.causes.size() == 1);
  CHECK(e.causes[0].reason == "FieldValueInvalid");
  CHECK(e.causes[0].field == "spec.replicas");
  CHECK(e.causes[0].message == "Invalid value: -1: must be greater than or equal to 0");
  auto bad_ns = status_of([&] { f.namespace_("Bad_NS"); });
  CHECK(bad_ns.code == 422);
  CHECK(
      bad_ns.message ==
      R"(Namespace "Bad_NS" is invalid: metadata.name: Invalid value: "Bad_NS": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?'))");
  auto bad_cm = status_of([&] { f.configmap("default", "UPPER"); });
  CHECK(bad_cm.message.find("a lowercase RFC 1123 subdomain must consist of") != std::string::npos);
  auto no_name = status_of([&] { f.store.create(*f.configmaps, "default", json(R"({"metadata":{}})")); });
  CHECK(no_name.message ==
        R"(ConfigMap "" is invalid: metadata.name: Required value: name or generateName is required)");
  auto no_selector = status_of([&] {
    f.store.create(
        *f.deployments, "default",
        json(
            R"({"metadata":{"name":"d"},"spec":{"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"i"}]}}}})"));
  });
  CHECK(no_selector.message == R"(Deployment.apps "d" is invalid: spec.selector: Required value)");
}

TEST_CASE("wrong JSON types are 400 with the decoder's wording", "[emulator][store][validation]") {
  Fixture f;
  auto body = json(R"({"metadata":{"name":"zk"},"spec":{"replicas":"three"}})");
  auto e = status_of([&] { f.store.create(*f.statefulsets, "default", std::move(body)); });
  CHECK(e.code == 400);
  CHECK(
      e.message ==
      R"(StatefulSet in version "v1" cannot be handled as a StatefulSet: json: cannot unmarshal string into Go struct field StatefulSetSpec.spec.replicas of type int32)");
  auto labels = json(R"({"metadata":{"name":"c","labels":{"a":1}}})");
  auto e2 = status_of([&] { f.store.create(*f.configmaps, "default", std::move(labels)); });
  CHECK(
      e2.message ==
      R"(ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number 1 into Go struct field ObjectMeta.metadata.labels of type string)");
}

TEST_CASE("update checks resourceVersion and bumps generation on spec changes only", "[emulator][store]") {
  Fixture f;
  auto obj = f.sts("default", "zk");
  std::string rv = emu::str_at(*obj, {"metadata", "resourceVersion"});
  auto next = emu::copy_object(*obj);
  next["spec"]["replicas"] = 5;
  auto updated = f.store.update(*f.statefulsets, "default", "zk", std::move(next));
  CHECK((*updated)["metadata"]["generation"].GetInt() == 2);
  CHECK(emu::str_at(*updated, {"metadata", "resourceVersion"}) != rv);
  auto stale = emu::copy_object(*obj);  // carries the old resourceVersion
  auto e = status_of([&] { f.store.update(*f.statefulsets, "default", "zk", std::move(stale)); });
  CHECK(e.code == 409);
  CHECK(e.reason == "Conflict");
  CHECK(
      e.message ==
      R"(Operation cannot be fulfilled on statefulsets.apps "zk": the object has been modified; please apply your changes to the latest version and try again)");
  // No resourceVersion: unconditional for built-in kinds.
  auto unconditional = emu::copy_object(*updated);
  unconditional["metadata"].RemoveMember("resourceVersion");
  auto labels = json(R"({"app":"zk","x":"y"})");
  unconditional["metadata"]["labels"].CopyFrom(labels, unconditional.GetAllocator());
  auto relabeled = f.store.update(*f.statefulsets, "default", "zk", std::move(unconditional));
  CHECK((*relabeled)["metadata"]["generation"].GetInt() == 2);  // metadata only
  // A no-op update writes nothing.
  auto same = f.store.update(*f.statefulsets, "default", "zk", emu::copy_object(*relabeled));
  CHECK(emu::str_at(*same, {"metadata", "resourceVersion"}) ==
        emu::str_at(*relabeled, {"metadata", "resourceVersion"}));
  // The name in the body must match.
  auto renamed = emu::copy_object(*relabeled);
  renamed["metadata"]["name"] = "other";
  CHECK(status_of([&] { f.store.update(*f.statefulsets, "default", "zk", std::move(renamed)); }).message ==
        "the name of the object (other) does not match the name on the URL (zk)");
}

TEST_CASE("status subresource: main resource keeps status, /status keeps spec", "[emulator][store]") {
  Fixture f;
  auto obj = f.sts("default", "zk");
  f.store.mutate(*f.statefulsets, "default", "zk", [](rapidjson::Document& d) {
    auto status = json(R"({"replicas":3,"readyReplicas":3})");
    d["status"].CopyFrom(status, d.GetAllocator());
    return true;
  });
  auto cur = f.store.get(*f.statefulsets, "default", "zk");
  auto via_main = emu::copy_object(*cur);
  via_main["status"]["readyReplicas"] = 0;
  via_main["spec"]["replicas"] = 4;
  auto after = f.store.update(*f.statefulsets, "default", "zk", std::move(via_main));
  CHECK((*after)["status"]["readyReplicas"].GetInt() == 3);
  CHECK((*after)["spec"]["replicas"].GetInt() == 4);
  auto via_status = emu::copy_object(*after);
  via_status["status"]["readyReplicas"] = 1;
  via_status["spec"]["replicas"] = 9;
  emu::WriteOptions status_opts;
  status_opts.subresource = "status";
  auto after2 = f.store.update(*f.statefulsets, "default", "zk", std::move(via_status), status_opts);
  CHECK((*after2)["status"]["readyReplicas"].GetInt() == 1);
  CHECK((*after2)["spec"]["replicas"].GetInt() == 4);
}

TEST_CASE("patch: merge, json, strategic, resourceVersion precondition, 415 for custom resources",
          "[emulator][store]") {
  Fixture f;
  auto obj = f.sts("default", "zk");
  auto p1 =
      f.store.patch(*f.statefulsets, "default", "zk", emu::PatchType::Merge, R"({"spec":{"replicas":1}})");
  CHECK((*p1)["spec"]["replicas"].GetInt() == 1);
  auto p2 = f.store.patch(*f.statefulsets, "default", "zk", emu::PatchType::Json,
                          R"([{"op":"replace","path":"/spec/replicas","value":2}])");
  CHECK((*p2)["spec"]["replicas"].GetInt() == 2);
  auto p3 = f.store.patch(
      *f.statefulsets, "default", "zk", emu::PatchType::Strategic,
      R"({"spec":{"template":{"spec":{"containers":[{"name":"zk","env":[{"name":"B","value":"2"}]}]}}}})");
  CHECK((*p3)["spec"]["template"]["spec"]["containers"][0]["env"].Size() == 2);
  CHECK(emu::str_at((*p3)["spec"]["template"]["spec"]["containers"][0], {"image"}) == "zookeeper:3.8");
  auto stale = status_of([&] {
    f.store.patch(*f.statefulsets, "default", "zk", emu::PatchType::Merge,
                  R"({"metadata":{"resourceVersion":"1"},"spec":{"replicas":7}})");
  });
  CHECK(stale.code == 409);
  CHECK(stale.reason == "Conflict");
  auto crd =
      json(R"({"metadata":{"name":"widgets.example.com"},"spec":{"group":"example.com","scope":"Namespaced",
    "names":{"plural":"widgets","singular":"widget","kind":"Widget"},
    "versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}})");
  f.store.create(*f.crds, "", std::move(crd));
  auto widgets = f.store.types().find("example.com", "widgets");
  REQUIRE(widgets);
  f.store.create(
      *widgets, "default",
      json(R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"size":1}})"));
  auto e = status_of(
      [&] { f.store.patch(*widgets, "default", "w", emu::PatchType::Strategic, R"({"spec":{"size":2}})"); });
  CHECK(e.code == 415);
  CHECK(e.message ==
        "the body of the request was in an unknown format - accepted media types include: "
        "application/json-patch+json, "
        "application/merge-patch+json, application/apply-patch+yaml");
  // Custom resources need a resourceVersion on update.
  auto w = emu::copy_object(*f.store.get(*widgets, "default", "w"));
  w["metadata"].RemoveMember("resourceVersion");
  auto e2 = status_of([&] { f.store.update(*widgets, "default", "w", std::move(w)); });
  CHECK(e2.code == 422);
  CHECK(
      e2.message ==
      R"(Widget.example.com "w" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update)");
  // Deleting the CRD stops serving the type.
  f.store.remove(*f.crds, "", "widgets.example.com");
  CHECK_FALSE(f.store.types().find("example.com", "widgets"));
}

TEST_CASE("scale subresource reads and writes spec.replicas", "[emulator][store]") {
  Fixture f;
  f.sts("default", "zk", 3);
  auto scale = f.store.get(*f.statefulsets, "default", "zk", "scale");
  CHECK(emu::str_at(*scale, {"kind"}) == "Scale");
  CHECK(emu::str_at(*scale, {"apiVersion"}) == "autoscaling/v1");
  CHECK((*scale)["spec"]["replicas"].GetInt() == 3);
  CHECK(emu::str_at(*scale, {"status", "selector"}) == "app=zk");
  emu::WriteOptions opts;
  opts.subresource = "scale";
  auto s2 = f.store.update(*f.statefulsets, "default", "zk", json(R"({"spec":{"replicas":0}})"), opts);
  CHECK((*s2)["spec"]["replicas"].GetInt() == 0);
  CHECK((*f.store.get(*f.statefulsets, "default", "zk"))["spec"]["replicas"].GetInt() == 0);
  auto e = status_of([&] {
    f.store.patch(*f.statefulsets, "default", "zk", emu::PatchType::Merge, R"({"spec":{"replicas":-2}})",
                  opts);
  });
  CHECK(
      e.message ==
      R"(Scale.autoscaling "zk" is invalid: spec.replicas: Invalid value: -2: must be greater than or equal to 0)");
}

TEST_CASE("dryRun validates and answers without persisting", "[emulator][store]") {
  Fixture f;
  emu::WriteOptions dry;
  dry.dry_run = true;
  auto rv_before = f.store.resource_version();
  auto created = f.store.create(*f.statefulsets, "default", json(Fixture::sts_json("zk", 2)), dry);
  CHECK(emu::str_at(*created, {"metadata", "name"}) == "zk");
  CHECK(f.store.find(*f.statefulsets, "default", "zk") == nullptr);
  CHECK(f.store.resource_version() == rv_before);
  CHECK(status_of([&] {
          f.store.create(*f.statefulsets, "default", json(Fixture::sts_json("zk", -1)), dry);
        }).code == 422);
  f.sts("default", "zk");
  auto patched = f.store.patch(*f.statefulsets, "default", "zk", emu::PatchType::Merge,
                               R"({"spec":{"replicas":9}})", dry);
  CHECK((*patched)["spec"]["replicas"].GetInt() == 9);
  CHECK((*f.store.get(*f.statefulsets, "default", "zk"))["spec"]["replicas"].GetInt() == 3);
  emu::DeleteOptions del;
  del.dry_run = true;
  f.store.remove(*f.statefulsets, "default", "zk", del);
  CHECK(f.store.find(*f.statefulsets, "default", "zk") != nullptr);
}

TEST_CASE("list paging: limit, continue, remainingItemCount, stale continue is 410", "[emulator][store]") {
  Fixture f;
  f.namespace_("a");
  f.namespace_("b");
  for (int i = 0; i < 5; ++i) f.configmap("a", "cm" + std::to_string(i));
  for (int i = 0; i < 3; ++i) f.configmap("b", "cm" + std::to_string(i), R"({"x":"y"})");
  emu::ListOptions o;
  o.limit = 2;
  auto page1 = f.store.list(*f.configmaps, "a", o);
  REQUIRE(page1.items.size() == 2);
  CHECK(page1.remaining == 3);
  CHECK(!page1.continue_token.empty());
  o.continue_token = page1.continue_token;
  auto page2 = f.store.list(*f.configmaps, "a", o);
  CHECK(emu::str_at(*page2.items[0], {"metadata", "name"}) == "cm2");
  CHECK(page2.resource_version == page1.resource_version);
  CHECK(page2.remaining == 1);
  o.continue_token = page2.continue_token;
  auto page3 = f.store.list(*f.configmaps, "a", o);
  CHECK(page3.items.size() == 1);
  CHECK(page3.continue_token.empty());
  CHECK_FALSE(page3.remaining.has_value());
  // Cluster-wide, with a selector.
  emu::ListOptions sel;
  sel.label_selector = "x=y";
  CHECK(f.store.list(*f.configmaps, "", sel).items.size() == 3);
  CHECK(f.store.list(*f.configmaps, "", {}).items.size() == 8);
  // After a compaction, the old token is too old.
  f.configmap("a", "late");
  f.store.compact();
  o.continue_token = page1.continue_token;
  auto e = status_of([&] { f.store.list(*f.configmaps, "a", o); });
  CHECK(e.code == 410);
  CHECK(e.reason == "Expired");
  CHECK(e.message.rfind("The provided continue parameter is too old to display a consistent list result. You "
                        "can start a new list without the continue parameter",
                        0) == 0);
  CHECK(!e.continue_token.empty());
  o.continue_token = "garbage!";
  CHECK(status_of([&] { f.store.list(*f.configmaps, "a", o); }).code == 400);
}

TEST_CASE("watch delivers ADDED/MODIFIED/DELETED and replays from a resourceVersion",
          "[emulator][store][watch]") {
  Fixture f;
  emu::WatchFilter filter;
  filter.type_key = f.configmaps->key();
  filter.ns = "default";
  auto start_rv = std::to_string(f.store.resource_version());
  auto w = f.store.watch(filter, start_rv);
  f.configmap("default", "c1");
  f.store.patch(*f.configmaps, "default", "c1", emu::PatchType::Merge, R"({"data":{"k":"v2"}})");
  f.store.remove(*f.configmaps, "default", "c1");
  std::vector<emu::WatchEvent> events;
  for (int i = 0; i < 10 && events.size() < 3; ++i) {
    auto more = w->next(std::chrono::milliseconds(100));
    events.insert(events.end(), more.begin(), more.end());
  }
  REQUIRE(events.size() == 3);
  CHECK(events[0].type == emu::WatchEvent::Type::Added);
  CHECK(events[1].type == emu::WatchEvent::Type::Modified);
  CHECK(events[2].type == emu::WatchEvent::Type::Deleted);
  CHECK(events[0].resource_version < events[1].resource_version);
  // A second watch from the same version replays the same history.
  auto replay = f.store.watch(filter, start_rv)->next(std::chrono::milliseconds(100));
  CHECK(replay.size() == 3);
  // A version from before a compaction is 410 Expired.
  f.store.compact();
  auto e = status_of([&] { f.store.watch(filter, start_rv); });
  CHECK(e.code == 410);
  CHECK(e.message.rfind("too old resource version: ", 0) == 0);
}

TEST_CASE("watch with a label selector turns selector changes into ADDED/DELETED",
          "[emulator][store][watch]") {
  Fixture f;
  emu::WatchFilter filter;
  filter.type_key = f.configmaps->key();
  filter.label_selector = "team=a";
  auto w = f.store.watch(filter, std::to_string(f.store.resource_version()));
  f.configmap("default", "c1", R"({"team":"b"})");
  f.store.patch(*f.configmaps, "default", "c1", emu::PatchType::Merge,
                R"({"metadata":{"labels":{"team":"a"}}})");
  f.store.patch(*f.configmaps, "default", "c1", emu::PatchType::Merge,
                R"({"metadata":{"labels":{"team":"c"}}})");
  auto events = w->next(std::chrono::milliseconds(200));
  REQUIRE(events.size() == 2);
  CHECK(events[0].type == emu::WatchEvent::Type::Added);
  CHECK(events[1].type == emu::WatchEvent::Type::Deleted);
}

TEST_CASE("subscriptions call back on their own thread; mutate is atomic", "[emulator][store][watch]") {
  Fixture f;
  f.sts("default", "zk", 0);
  std::atomic<int> seen{0};
  emu::WatchFilter filter;
  filter.type_key = f.statefulsets->key();
  auto id = f.store.subscribe(filter, [&](const emu::WatchEvent& e) {
    if (e.type == emu::WatchEvent::Type::Modified) ++seen;
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        f.store.mutate(*f.statefulsets, "default", "zk", [](rapidjson::Document& d) {
          d["spec"]["replicas"] = d["spec"]["replicas"].GetInt() + 1;
          return true;
        });
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK((*f.store.get(*f.statefulsets, "default", "zk"))["spec"]["replicas"].GetInt() == 100);
  for (int i = 0; i < 50 && seen < 100; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK(seen == 100);
  f.store.unsubscribe(id);
}

TEST_CASE("deleting a namespace deletes its contents; finalizers delay deletion", "[emulator][store]") {
  Fixture f;
  f.namespace_("zookeeper");
  f.sts("zookeeper", "zk");
  f.configmap("zookeeper", "c");
  f.configmap("default", "keep");
  auto ns = f.store.remove(*f.namespaces, "", "zookeeper");
  CHECK(emu::str_at(*ns, {"status", "phase"}) == "Terminating");
  CHECK(f.store.find(*f.namespaces, "", "zookeeper") == nullptr);
  CHECK(f.store.find(*f.statefulsets, "zookeeper", "zk") == nullptr);
  CHECK(f.store.find(*f.configmaps, "default", "keep") != nullptr);
  f.store.create(*f.configmaps, "default",
                 json(R"({"metadata":{"name":"fin","finalizers":["example.com/hold"]}})"));
  auto marked = f.store.remove(*f.configmaps, "default", "fin");
  CHECK(!emu::str_at(*marked, {"metadata", "deletionTimestamp"}).empty());
  CHECK(f.store.find(*f.configmaps, "default", "fin") != nullptr);
  f.store.patch(*f.configmaps, "default", "fin", emu::PatchType::Merge,
                R"({"metadata":{"finalizers":null}})");
  CHECK(f.store.find(*f.configmaps, "default", "fin") == nullptr);
}

namespace {
std::string rv_of(Fixture& f, const std::string& name) {
  return (*f.store.get(*f.statefulsets, "default", name))["metadata"]["resourceVersion"].GetString();
}
}  // namespace

TEST_CASE("forced conflicts, snapshots", "[emulator][store]") {
  Fixture f;
  f.sts("default", "zk");
  f.store.force_conflicts(*f.statefulsets, "default", "zk", 2);
  for (int i = 0; i < 2; ++i) {
    auto e = status_of([&] {
      f.store.patch(*f.statefulsets, "default", "zk", emu::PatchType::Merge,
                    R"({"metadata":{"resourceVersion":")" + rv_of(f, "zk") + R"("},"spec":{"replicas":1}})");
    });
    CHECK(e.code == 409);
    CHECK(e.reason == "Conflict");
  }
  f.store.patch(*f.statefulsets, "default", "zk", emu::PatchType::Merge,
                R"({"metadata":{"resourceVersion":")" + rv_of(f, "zk") + R"("},"spec":{"replicas":1}})");
  std::string saved = f.store.save();
  Fixture g;
  g.store.load(saved);
  auto restored = g.store.get(*g.statefulsets, "default", "zk");
  CHECK((*restored)["spec"]["replicas"].GetInt() == 1);
  CHECK(g.store.resource_version() >= f.store.resource_version());
}

TEST_CASE("forced conflicts hit only writes with a resourceVersion precondition", "[emulator][store]") {
  Fixture f;
  f.sts("default", "zk");
  auto conflicts = [&](auto&& write) {
    f.store.force_conflicts(*f.statefulsets, "default", "zk", 1);
    int code = status_of(write).code;
    f.store.force_conflicts(*f.statefulsets, "default", "zk", 0);
    return code;
  };
  auto patch = [&](emu::PatchType type, const std::string& body) {
    return [&f, type, body] { f.store.patch(*f.statefulsets, "default", "zk", type, body); };
  };
  auto with_rv = [&](const std::string& rest) {
    return R"({"metadata":{"resourceVersion":")" + rv_of(f, "zk") + R"("})" + rest + "}";
  };
  SECTION("patches without one proceed and leave the count alone") {
    f.store.force_conflicts(*f.statefulsets, "default", "zk", 1);
    f.store.patch(*f.statefulsets, "default", "zk", emu::PatchType::Merge, R"({"spec":{"replicas":2}})");
    f.store.patch(*f.statefulsets, "default", "zk", emu::PatchType::Strategic,
                  R"({"metadata":{"labels":{"a":"b"}}})");
    f.store.patch(*f.statefulsets, "default", "zk", emu::PatchType::Json,
                  R"([{"op":"replace","path":"/spec/replicas","value":4}])");
    f.store.patch(*f.statefulsets, "default", "zk", emu::PatchType::Merge,
                  R"({"metadata":{"resourceVersion":null,"labels":{"c":"d"}}})");
    CHECK((*f.store.get(*f.statefulsets, "default", "zk"))["spec"]["replicas"].GetInt() == 4);
    // the count is still there for the first conditional write
    CHECK(status_of(patch(emu::PatchType::Merge, with_rv(R"(,"spec":{"replicas":5})"))).code == 409);
    f.store.patch(*f.statefulsets, "default", "zk", emu::PatchType::Merge,
                  with_rv(R"(,"spec":{"replicas":5})"));
    CHECK((*f.store.get(*f.statefulsets, "default", "zk"))["spec"]["replicas"].GetInt() == 5);
  }
  SECTION("patches that set metadata.resourceVersion conflict") {
    CHECK(conflicts(patch(emu::PatchType::Merge, with_rv(""))) == 409);
    CHECK(conflicts(patch(emu::PatchType::Strategic, with_rv(""))) == 409);
    CHECK(conflicts(
              patch(emu::PatchType::Json, R"([{"op":"replace","path":"/metadata/resourceVersion","value":")" +
                                              rv_of(f, "zk") + R"("}])")) == 409);
    CHECK(conflicts(patch(emu::PatchType::Json,
                          R"([{"op":"add","path":"/metadata","value":{"name":"zk","resourceVersion":")" +
                              rv_of(f, "zk") + R"("}}])")) == 409);
  }
  SECTION("a JSON patch testing the resourceVersion fails its test, as after the apiserver's retry") {
    std::string body = R"([{"op":"test","path":"/metadata/resourceVersion","value":")" + rv_of(f, "zk") +
                       R"("},{"op":"replace","path":"/spec/replicas","value":2}])";
    auto e = status_of(patch(emu::PatchType::Json, body));
    CHECK(e.code == 0);  // no conflict forced: the test holds
    body = R"([{"op":"test","path":"/metadata/resourceVersion","value":")" + rv_of(f, "zk") +
           R"("},{"op":"replace","path":"/spec/replicas","value":3}])";
    f.store.force_conflicts(*f.statefulsets, "default", "zk", 1);
    e = status_of(patch(emu::PatchType::Json, body));
    CHECK(e.code == 422);
    CHECK(e.reason == "Invalid");
    CHECK(e.message == "the server rejected our request due to an error in our request");
    f.store.patch(*f.statefulsets, "default", "zk", emu::PatchType::Json, body);  // consumed
    CHECK((*f.store.get(*f.statefulsets, "default", "zk"))["spec"]["replicas"].GetInt() == 3);
  }
  SECTION("updates: with metadata.resourceVersion 409, without one (unconditional) proceed") {
    auto put = [&](bool rv) {
      return [&f, rv] {
        auto obj = json(Fixture::sts_json("zk", 6));
        auto& a = obj.GetAllocator();
        obj["metadata"].AddMember("namespace", "default", a);
        if (rv) obj["metadata"].AddMember("resourceVersion", rapidjson::Value(rv_of(f, "zk").c_str(), a), a);
        f.store.update(*f.statefulsets, "default", "zk", std::move(obj));
      };
    };
    f.store.force_conflicts(*f.statefulsets, "default", "zk", 1);
    CHECK(status_of(put(false)).code == 0);
    CHECK(status_of(put(true)).code == 409);
    CHECK(status_of(put(true)).code == 0);
  }
  SECTION("the scale subresource: a Scale with a resourceVersion conflicts, a patch of it does not") {
    emu::WriteOptions scale;
    scale.subresource = "scale";
    f.store.force_conflicts(*f.statefulsets, "default", "zk", 1);
    f.store.patch(*f.statefulsets, "default", "zk", emu::PatchType::Merge, R"({"spec":{"replicas":2}})",
                  scale);
    auto put = [&] {
      f.store.update(
          *f.statefulsets, "default", "zk",
          json(
              R"({"apiVersion":"autoscaling/v1","kind":"Scale","metadata":{"name":"zk","namespace":"default","resourceVersion":")" +
              rv_of(f, "zk") + R"("},"spec":{"replicas":1}})"),
          scale);
    };
    CHECK(status_of(put).code == 409);
    CHECK(status_of(put).code == 0);
  }
}

TEST_CASE("fieldValidation: unknown fields of built-in kinds refused, reported or ignored, always dropped",
          "[emulator][store]") {
  Fixture f;
  std::string body =
      R"({"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"zk","colour":"red"},)"
      R"("spec":{"replicas":1,"foo":1,"serviceName":"zk","selector":{"matchLabels":{"app":"zk"}},)"
      R"("template":{"bar":2,"metadata":{"labels":{"app":"zk"},"baz":3},)"
      R"("spec":{"containers":[{"name":"zk","image":"zookeeper:3.8"}]}}},"extra":true})";
  auto create = [&](const std::string& directive, std::vector<std::string>* warnings = nullptr) {
    emu::WriteOptions w;
    w.field_validation = directive;
    w.warnings = warnings;
    return f.store.create(*f.statefulsets, "default", json(body), w);
  };
  SECTION("Strict: 400 with every unknown field, in document order") {
    auto e = status_of([&] { create("Strict"); });
    CHECK(e.code == 400);
    CHECK(e.reason == "BadRequest");
    CHECK(
        e.message ==
        "StatefulSet in version \"v1\" cannot be handled as a StatefulSet: strict decoding error: "
        "unknown field \"metadata.colour\", unknown field \"spec.foo\", unknown field \"spec.template.bar\", "
        "unknown field \"spec.template.metadata.baz\", unknown field \"extra\"");
    CHECK(f.store.find(*f.statefulsets, "default", "zk") == nullptr);
  }
  SECTION("Warn (and the default): one warning per field, the object stored without them") {
    for (const char* directive : {"Warn", ""}) {
      std::vector<std::string> warnings;
      auto obj = create(directive, &warnings);
      CHECK(warnings == std::vector<std::string>{
                            "unknown field \"metadata.colour\"", "unknown field \"spec.foo\"",
                            "unknown field \"spec.template.bar\"",
                            "unknown field \"spec.template.metadata.baz\"", "unknown field \"extra\""});
      CHECK(!obj->HasMember("extra"));
      CHECK(!(*obj)["metadata"].HasMember("colour"));
      CHECK(!(*obj)["spec"].HasMember("foo"));
      CHECK(!(*obj)["spec"]["template"].HasMember("bar"));
      CHECK((*obj)["spec"]["replicas"].GetInt() == 1);
      f.store.remove(*f.statefulsets, "default", "zk", {});
    }
  }
  SECTION("Ignore: no warning, still dropped") {
    std::vector<std::string> warnings;
    auto obj = create("Ignore", &warnings);
    CHECK(warnings.empty());
    CHECK(!(*obj)["spec"].HasMember("foo"));
  }
  SECTION("an unsupported directive: 422 on the options") {
    auto e = status_of([&] { create("Loose"); });
    CHECK(e.code == 422);
    CHECK(e.message ==
          "CreateOptions.meta.k8s.io \"\" is invalid: fieldValidation: Unsupported value: \"Loose\": "
          "supported values: \"\", \"Ignore\", \"Strict\", \"Warn\"");
  }
  SECTION("patches and updates: the patched or sent object is checked") {
    create("Ignore");
    emu::WriteOptions strict;
    strict.field_validation = "Strict";
    auto e = status_of([&] {
      f.store.patch(*f.statefulsets, "default", "zk", emu::PatchType::Merge, R"({"spec":{"paused":true}})",
                    strict);
    });
    CHECK(e.code == 400);
    CHECK(e.message == "strict decoding error: unknown field \"spec.paused\"");  // a Deployment field
    auto doc = json(emu::to_json(*f.store.get(*f.statefulsets, "default", "zk")));
    doc.AddMember("oops", 1, doc.GetAllocator());
    e = status_of([&] { f.store.update(*f.statefulsets, "default", "zk", std::move(doc), strict); });
    CHECK(e.code == 400);
    CHECK(e.message ==
          "StatefulSet in version \"v1\" cannot be handled as a StatefulSet: strict decoding error: unknown "
          "field \"oops\"");
    std::vector<std::string> warnings;
    emu::WriteOptions warn;
    warn.warnings = &warnings;
    f.store.patch(*f.statefulsets, "default", "zk", emu::PatchType::Json,
                  R"([{"op":"add","path":"/metadata/colour","value":"x"}])", warn);
    CHECK(warnings == std::vector<std::string>{"unknown field \"metadata.colour\""});
  }
  SECTION("the fields a ConfigMap has; a custom resource keeps what it is sent") {
    emu::WriteOptions strict;
    strict.field_validation = "Strict";
    f.store.create(*f.configmaps, "default",
                   json(R"({"metadata":{"name":"ok"},"data":{"a":"b"},"binaryData":{},"immutable":false})"),
                   strict);
    auto e = status_of([&] {
      f.store.create(*f.configmaps, "default", json(R"({"metadata":{"name":"bad"},"spec":{}})"), strict);
    });
    CHECK(
        e.message ==
        "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: unknown field "
        "\"spec\"");
    emu::ResourceType cr;
    cr.group = "example.com";
    cr.builtin = false;
    CHECK(emu::prune_unknown_fields(cr, *std::make_unique<rapidjson::Document>(json(R"({"anything":1})")))
              .empty());
  }
}
