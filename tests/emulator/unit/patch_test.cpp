#include <catch2/catch.hpp>

#include "patch.hpp"
#include "test_util.hpp"

using emu::test::json;

TEST_CASE("merge patch merges objects, replaces lists and deletes with null", "[emulator][patch]") {
  auto target = json(R"({"a":1,"b":{"c":2,"d":3},"l":[1,2],"x":"y"})");
  auto patch = json(R"({"b":{"c":null,"e":{"f":null,"g":1}},"l":[3],"x":null,"n":{"m":null}})");
  emu::apply_merge_patch(target, patch, target.GetAllocator());
  CHECK(emu::to_json(target) == R"({"a":1,"b":{"d":3,"e":{"g":1}},"l":[3],"n":{}})");
}

TEST_CASE("merge patch with a non-object replaces the document", "[emulator][patch]") {
  auto target = json(R"({"a":1})");
  auto patch = json(R"([1,2])");
  emu::apply_merge_patch(target, patch, target.GetAllocator());
  CHECK(emu::to_json(target) == "[1,2]");
}

TEST_CASE("json patch applies every operation kind", "[emulator][patch]") {
  auto doc = json(R"({"a":{"b":[1,2,3]},"c":"x","a/b":{"~t":1}})");
  auto ops = json(R"([
    {"op":"add","path":"/a/b/1","value":9},
    {"op":"add","path":"/a/b/-","value":4},
    {"op":"remove","path":"/a/b/0"},
    {"op":"replace","path":"/c","value":"y"},
    {"op":"copy","from":"/c","path":"/d"},
    {"op":"move","from":"/d","path":"/e"},
    {"op":"test","path":"/a~1b/~0t","value":1},
    {"op":"test","path":"/e","value":"y"}
  ])");
  emu::apply_json_patch(doc, ops);
  CHECK(emu::to_json(doc) == R"({"a":{"b":[9,2,3,4]},"c":"y","a/b":{"~t":1},"e":"y"})");
}

TEST_CASE("json patch is atomic and answers 422 like the apiserver", "[emulator][patch]") {
  auto doc = json(R"({"spec":{"replicas":3}})");
  auto ops = json(
      R"([{"op":"replace","path":"/spec/replicas","value":5},{"op":"test","path":"/spec/replicas","value":7}])");
  std::string why;
  auto e = emu::test::status_of([&] { emu::apply_json_patch(doc, ops, &why); });
  CHECK(e.code == 422);
  CHECK(e.reason == "Invalid");
  CHECK(e.message == "the server rejected our request due to an error in our request");
  CHECK(e.to_json().find("\"details\":{}") != std::string::npos);
  CHECK(why.find("test") != std::string::npos);
  CHECK(emu::to_json(doc) == R"({"spec":{"replicas":3}})");  // unchanged
}

TEST_CASE("json patch errors: missing path, bad index, not an array", "[emulator][patch]") {
  auto doc = json(R"({"a":[1]})");
  CHECK(emu::test::status_of([&] {
          emu::apply_json_patch(doc, json(R"([{"op":"remove","path":"/nope"}])"));
        }).code == 422);
  CHECK(emu::test::status_of([&] {
          emu::apply_json_patch(doc, json(R"([{"op":"add","path":"/a/5","value":1}])"));
        }).code == 422);
  CHECK(emu::test::status_of([&] {
          emu::apply_json_patch(doc, json(R"([{"op":"replace","path":"/x/y","value":1}])"));
        }).code == 422);
  CHECK(emu::test::status_of([&] { emu::apply_json_patch(doc, json(R"({"op":"add"})")); }).code == 400);
}

TEST_CASE("strategic merge merges containers and env by name", "[emulator][patch]") {
  auto target = json(
      R"({"spec":{"containers":[{"name":"a","image":"x","env":[{"name":"E1","value":"1"},{"name":"E2","value":"2"}]},{"name":"b","image":"y"}]}})");
  auto patch = json(
      R"({"spec":{"containers":[{"name":"a","image":"x2","env":[{"name":"E2","value":"22"},{"name":"E3","value":"3"}]}]}})");
  emu::apply_strategic_merge_patch(target, patch, target.GetAllocator());
  CHECK(
      emu::to_json(target) ==
      R"({"spec":{"containers":[{"name":"a","image":"x2","env":[{"name":"E1","value":"1"},{"name":"E2","value":"22"},{"name":"E3","value":"3"}]},{"name":"b","image":"y"}]}})");
}

TEST_CASE("strategic merge directives: $patch delete and replace, ports by containerPort",
          "[emulator][patch]") {
  auto target = json(
      R"({"c":[{"name":"a","ports":[{"containerPort":80,"name":"http"}]},{"name":"b"}],"m":{"x":1,"y":2},"finalizers":["f1"]})");
  auto patch = json(
      R"({"c":[{"name":"b","$patch":"delete"},{"name":"a","ports":[{"containerPort":80,"name":"web"},{"containerPort":81}]}],"m":{"$patch":"replace","z":3},"finalizers":["f2"],"$setElementOrder/c":[{"name":"a"}]})");
  // "c" has no merge key (unknown field): the list is replaced; use "containers" for keyed merge.
  emu::apply_strategic_merge_patch(target, patch, target.GetAllocator());
  CHECK(emu::to_json(target["m"]) == R"({"z":3})");
  CHECK(emu::to_json(target["finalizers"]) == R"(["f1","f2"])");
  auto t2 =
      json(R"({"containers":[{"name":"a","ports":[{"containerPort":80,"name":"http"}]},{"name":"b"}]})");
  auto p2 = json(
      R"({"containers":[{"name":"b","$patch":"delete"},{"name":"a","ports":[{"containerPort":80,"name":"web"},{"containerPort":81}]}]})");
  emu::apply_strategic_merge_patch(t2, p2, t2.GetAllocator());
  CHECK(emu::to_json(t2) ==
        R"({"containers":[{"name":"a","ports":[{"containerPort":80,"name":"web"},{"containerPort":81}]}]})");
}

TEST_CASE("strategic merge: null deletes, $deleteFromPrimitiveList, $retainKeys", "[emulator][patch]") {
  auto target = json(R"({"a":1,"b":2,"finalizers":["x","y"],"s":{"type":"A","ra":{"m":1}}})");
  auto patch = json(
      R"({"a":null,"$deleteFromPrimitiveList/finalizers":["x"],"s":{"$retainKeys":["type"],"type":"B"}})");
  emu::apply_strategic_merge_patch(target, patch, target.GetAllocator());
  CHECK(emu::to_json(target) == R"({"b":2,"finalizers":["y"],"s":{"type":"B"}})");
}
