// -f input: JSON and YAML in every shape kubectl accepts, with errors that name the source.
#include <catch2/catch.hpp>

#include <string>

#include "dr/cli/objects_input.hpp"
#include "dr/cli/printer.hpp"

using namespace dr::cli;

namespace {

std::string names(const std::vector<rapidjson::Document>& objects) {
  std::string out;
  for (const auto& object : objects) out += (out.empty() ? "" : " ") + object_name_for_output(object);
  return out;
}

std::string compact(const rapidjson::Value& v) {
  // to_json is indented; squeeze it for short comparisons.
  std::string text = to_json(v);
  std::string out;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"' && (i == 0 || text[i - 1] != '\\')) in_string = !in_string;
    if (!in_string && (c == '\n' || c == ' ')) continue;
    out += c;
  }
  return out;
}

}  // namespace

TEST_CASE("JSON: one object, a List, an array, a stream", "[cli]") {
  auto one = read_objects(R"({"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"a"}})", "a.json");
  REQUIRE(one);
  CHECK(names(*one) == "configmap/a");

  auto list = read_objects(R"( {"kind":"List","apiVersion":"v1","items":[
      {"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"a"}},
      {"kind":"StatefulSetList","apiVersion":"apps/v1","items":[{"kind":"StatefulSet","apiVersion":"apps/v1","metadata":{"name":"zk"}}]}]})",
                           "-");
  REQUIRE(list);
  CHECK(names(*list) == "configmap/a statefulset.apps/zk");

  auto array = read_objects(R"([{"kind":"Namespace","apiVersion":"v1","metadata":{"name":"x"}}])", "-");
  REQUIRE(array);
  CHECK(names(*array) == "namespace/x");

  auto stream = read_objects(
      "{\"kind\":\"Namespace\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"x\"}}\n"
      "\n  "
      "{\"kind\":\"Namespace\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"y\"}}{\"kind\":\"Namespace\","
      "\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"z\"}}\n",
      "-");
  REQUIRE(stream);
  CHECK(names(*stream) == "namespace/x namespace/y namespace/z");

  auto empty_list = read_objects(R"({"kind":"List","apiVersion":"v1","items":[]})", "-");
  REQUIRE(empty_list);
  CHECK(empty_list->empty());
  auto nothing = read_objects(" \n\t", "-");
  REQUIRE(nothing);
  CHECK(nothing->empty());
}

TEST_CASE("JSON numbers keep their type", "[cli]") {
  auto objects = read_objects(R"({"i":3,"f":1.5,"big":9007199254740993,"s":"3","b":false,"n":null})", "-");
  REQUIRE(objects);
  const auto& o = objects->front();
  CHECK(o["i"].IsInt64());
  CHECK(o["f"].IsDouble());
  CHECK(o["big"].GetInt64() == 9007199254740993LL);
  CHECK(o["s"].IsString());
  CHECK(o["b"].IsBool());
  CHECK(o["n"].IsNull());
}

TEST_CASE("YAML: single, multi-document, Lists, empty documents", "[cli]") {
  auto objects = read_objects(
      "---\n"
      "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n"
      "---\n"
      "# only a comment\n"
      "---\n"
      "apiVersion: v1\nkind: List\nitems:\n"
      "- apiVersion: apps/v1\n  kind: Deployment\n  metadata:\n    name: web\n"
      "- {apiVersion: v1, kind: Service, metadata: {name: web}}\n"
      "...\n",
      "objects.yaml");
  REQUIRE(objects);
  CHECK(names(*objects) == "namespace/a deployment.apps/web service/web");
}

TEST_CASE("YAML scalars convert as sigs.k8s.io/yaml does", "[cli]") {
  auto objects = read_objects(
      "kind: X\n"
      "int: 3\nneg: -7\nhex: 0x1F\noctal: 017\nunderscore: 1_000\nfloat: 1.5\nexp: 1e3\nleadingdot: .5\n"
      "quoted: \"3\"\nsingle: '017'\ntrue1: true\nyes1: yes\noff1: Off\nnull1: null\ntilde: ~\nempty:\n"
      "date: 2024-01-15\nts: 2026-11-24T06:12:01Z\nversion: 1.0.3\nstr: !!str 42\ninf: .inf\n"
      "text: hello world\nblock: |\n  line1\n  line2\n",
      "-");
  REQUIRE(objects);
  CHECK(
      compact(objects->front()) ==
      R"({"block":"line1\nline2\n","date":"2024-01-15","empty":null,"exp":1000,"float":1.5,"hex":31,"inf":".inf",)"
      R"("int":3,"kind":"X","leadingdot":0.5,"neg":-7,"null1":null,"octal":15,"off1":false,"quoted":"3",)"
      R"("single":"017","str":"42","text":"hello world","tilde":null,"true1":true,"ts":"2026-11-24T06:12:01Z",)"
      R"("underscore":1000,"version":"1.0.3","yes1":true})");
  CHECK(objects->front()["int"].IsInt64());
  CHECK(objects->front()["float"].IsDouble());
}

TEST_CASE("YAML keys that are not strings become their text (and n is false, as in YAML 1.1)", "[cli]") {
  auto objects = read_objects("kind: X\non: 1\n3: three\nnull: n\n", "-");
  REQUIRE(objects);
  CHECK(compact(objects->front()) == R"({"3":"three","kind":"X","null":false,"true":1})");
}

TEST_CASE("malformed input: errors name the source and the position", "[cli]") {
  auto json = read_objects("{\"kind\": \"X\",\n  \"a\": }", "schedules.json");
  REQUIRE_FALSE(json);
  CHECK(json.error().code == dr::ErrorCode::Decode);
  CHECK(json.error().kubectl_line().rfind("error: error parsing schedules.json: ", 0) == 0);
  CHECK(json.error().message.find("line 2, column 8") != std::string::npos);

  auto trailing = read_objects("{\"kind\":\"X\"} oops", "-");
  REQUIRE_FALSE(trailing);
  CHECK(trailing.error().kubectl_line() ==
        "error: error parsing -: invalid character 'o' looking for beginning of value (line 1, column 14)");

  auto yaml = read_objects("kind: X\nmetadata:\n  name: [a\n", "-");
  REQUIRE_FALSE(yaml);
  CHECK(yaml.error().kubectl_line().rfind(
            "error: error parsing -: error converting YAML to JSON: yaml: line ", 0) == 0);

  auto bad_indent = read_objects("kind: X\n  name: a\n b: c\n", "x.yaml");
  REQUIRE_FALSE(bad_indent);
  CHECK(bad_indent.error().message.rfind("error parsing x.yaml: ", 0) == 0);

  auto scalar = read_objects("just text\n", "-");
  REQUIRE_FALSE(scalar);
  CHECK(scalar.error().kubectl_line() == "error: error parsing -: expected an object, found a string");

  auto array_item = read_objects("[1]", "-");
  REQUIRE_FALSE(array_item);
  CHECK(array_item.error().message == "error parsing -: expected an object, found a scalar value");
}

TEST_CASE("files and directories for -f", "[cli]") {
  const std::string dir = DR_TEST_DATA_DIR "/golden/cli/objects";
  auto from_dir = read_objects_from({dir});
  REQUIRE(from_dir);
  CHECK(names(*from_dir) ==
        "migrationschedule.stork.libopenstorage.org/s1 migrationschedule.stork.libopenstorage.org/s2");
  auto from_files = read_objects_from({dir + "/b.json", dir + "/a.yaml"});
  REQUIRE(from_files);
  CHECK(names(*from_files) ==
        "migrationschedule.stork.libopenstorage.org/s2 migrationschedule.stork.libopenstorage.org/s1");
  auto missing = read_objects_from({dir + "/nope.yaml"});
  REQUIRE_FALSE(missing);
  CHECK(missing.error().kubectl_line() == "error: the path \"" + dir + "/nope.yaml\" does not exist");
  auto text = read_file_or_stdin(dir + "/notes.txt");
  REQUIRE(text);
  CHECK(*text == "ignored: true\n");
}

TEST_CASE("objects input: -f DIRECTORY: read_file_or_stdin refuses it, -R reads subdirectories", "[cli]") {
  const std::string dir = DR_TEST_DATA_DIR "/golden/cli";
  auto as_file = read_file_or_stdin(dir);
  REQUIRE_FALSE(as_file);
  CHECK(as_file.error().kubectl_line() == "error: the path \"" + dir + "\" is a directory");
  auto flat = read_objects_from({dir});
  REQUIRE(flat);
  auto recursive = read_objects_from({dir}, /*recursive=*/true);
  REQUIRE(recursive);
  CHECK(recursive->size() >= flat->size() + 2);
  CHECK(names(*recursive).find("migrationschedule.stork.libopenstorage.org/s1") != std::string::npos);
}

TEST_CASE("objects input: -f input is bounded in size", "[cli]") {
  struct Endless : std::streambuf {
    char zeros[4096] = {};
    int_type underflow() override {
      setg(zeros, zeros, zeros + sizeof zeros);
      return 0;
    }
  } endless;
  std::istream in(&endless);
  auto read = read_bounded(in, "\"/dev/zero\"");
  REQUIRE_FALSE(read);
  CHECK(read.error().message == "error reading \"/dev/zero\": more than 64 MiB of input");
}

TEST_CASE("an object's namespace must match an explicit -n, as kubectl", "[cli]") {
  auto objects = read_objects(R"({"kind":"MigrationSchedule","metadata":{"name":"s","namespace":"a"}})", "-");
  REQUIRE(objects);
  const auto& object = objects->front();
  auto mismatch = namespace_for_object(object, "b", /*namespace_explicit=*/true);
  REQUIRE_FALSE(mismatch);
  CHECK(
      mismatch.error().kubectl_line() ==
      "error: the namespace from the provided object \"a\" does not match the namespace \"b\". You must pass "
      "'--namespace=a' to perform this operation.");
  CHECK(*namespace_for_object(object, "b", /*namespace_explicit=*/false) == "a");
  CHECK(*namespace_for_object(object, "a", /*namespace_explicit=*/true) == "a");
  auto without = read_objects(R"({"kind":"MigrationSchedule","metadata":{"name":"s"}})", "-");
  REQUIRE(without);
  CHECK(*namespace_for_object(without->front(), "b", true) == "b");
}
