// Printers: kubectl's tables, -o json, -o yaml and -o name, checked against golden files and
// tables of cases worked out from kubectl's (cli-runtime, encoding/json, go-yaml v2) rules.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "dr/cli/format.hpp"
#include "dr/cli/objects_input.hpp"
#include "dr/cli/printer.hpp"

using namespace dr::cli;

namespace {

const std::string kGolden = DR_TEST_DATA_DIR "/golden/cli/";

std::string golden(const std::string& name) {
  std::ifstream file(kGolden + name, std::ios::binary);
  REQUIRE(file);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

rapidjson::Document parse(const std::string& json) {
  rapidjson::Document doc;
  doc.Parse(json.c_str(), json.size());
  REQUIRE_FALSE(doc.HasParseError());
  return doc;
}

// `{"v": <json>}` printed as YAML, without the "v: " prefix and the final newline.
std::string yaml_value(const std::string& json) {
  auto text = to_yaml(parse("{\"v\": " + json + "}"));
  REQUIRE(text.rfind("v:", 0) == 0);
  text = text.substr(2);
  if (!text.empty() && text[0] == ' ') text.erase(0, 1);
  if (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

std::string json_value(const std::string& json) {
  auto text = to_json(parse(json));
  text.pop_back();
  return text;
}

}  // namespace

TEST_CASE("table reproduces storkctl's clusterdomainsstatus output from the object", "[cli]") {
  auto status = parse(R"({"apiVersion":"stork.libopenstorage.org/v1alpha1","kind":"ClusterDomainsStatus",
    "metadata":{"name":"px-dr-cluster","creationTimestamp":"2026-11-24T05:04:37Z"},
    "status":{"localDomain":"us-east-1b","clusterDomainInfos":[
      {"name":"us-east-1a","state":"Inactive","syncStatus":"SyncStatusUnknown"},
      {"name":"us-east-1b","state":"Active","syncStatus":"SyncStatusUnknown"}]}})");
  std::string active;
  std::string inactive;
  for (const auto& info : status["status"]["clusterDomainInfos"].GetArray()) {
    std::string cell = std::string(info["name"].GetString()) + " (" + info["syncStatus"].GetString() + ")";
    std::string& column = std::string(info["state"].GetString()) == "Active" ? active : inactive;
    column += (column.empty() ? "" : ", ") + cell;
  }
  Table table({"NAME", "LOCAL-DOMAIN", "ACTIVE", "INACTIVE", "CREATED"});
  table.add_row({status["metadata"]["name"].GetString(), status["status"]["localDomain"].GetString(), active,
                 inactive,
                 format_rfc822(std::string_view(status["metadata"]["creationTimestamp"].GetString()))});
  CHECK(table.to_string() == golden("clusterdomainsstatus.txt"));
  std::ostringstream out;
  table.render(out);
  CHECK(out.str() == golden("clusterdomainsstatus.txt"));
}

TEST_CASE("table with an empty last column has no trailing spaces", "[cli]") {
  Table table({"NAME", "CLUSTER-DOMAIN", "ACTION", "STATUS", "CREATED"});
  table.add_row({"e5dcdab9-38fb-4603-8e4e-25e2cfe5487b", "us-east-1a", "Deactivate", "Successful",
                 format_rfc822(std::string_view(""))});
  CHECK(table.to_string() == golden("clusterdomainupdate.txt"));
}

TEST_CASE("table of migration schedules with Go durations", "[cli]") {
  Table table({"NAME", "POLICYNAME", "CLUSTERPAIR", "SUSPEND", "LAST-SUCCESS-TIME", "LAST-SUCCESS-DURATION"});
  auto created = parse_rfc3339("2022-12-01T23:31:02Z");
  auto finished = parse_rfc3339("2022-12-01T23:31:12Z");
  REQUIRE(created);
  REQUIRE(finished);
  table.add_row({"migrationschedule", "default-migration-policy", "remotecluster", "false",
                 format_rfc822(*finished), format_go_duration(*finished - *created)});
  CHECK(table.to_string() == golden("migrationschedule.txt"));
}

TEST_CASE("table --no-headers drops the header and its widths", "[cli]") {
  Table table({"NAME", "A-VERY-LONG-HEADER", "X"});
  table.add_row({"a", "b", "c"});
  table.add_row({"long-name", "", "d"});
  CHECK(table.to_string(true) == "a           b   c\nlong-name       d\n");
  CHECK(table.to_string() ==
        "NAME        A-VERY-LONG-HEADER   X\n"
        "a           b                    c\n"
        "long-name                        d\n");
  CHECK(table.size() == 2);
}

TEST_CASE("table widths count UTF-8 code points, not bytes", "[cli]") {
  Table table({"NAME", "VALUE"});
  table.add_row({"café", "1"});
  table.add_row({"日本", "2"});
  table.add_row({"µs", "3"});
  CHECK(table.to_string() ==
        "NAME   VALUE\n"
        "café   1\n"
        "日本     2\n"
        "µs     3\n");
  CHECK(display_width("café") == 4);
  CHECK(display_width("") == 0);
}

TEST_CASE("table pads missing cells, drops extra ones, and can be empty", "[cli]") {
  Table table({"A", "B", "C"});
  CHECK(table.empty());
  CHECK(table.to_string() == "A   B   C\n");
  CHECK(table.to_string(true).empty());
  table.add_row({"1"});
  table.add_row({"1", "2", "3", "4"});
  CHECK(table.to_string() == "A   B   C\n1\n1   2   3\n");
}

TEST_CASE("wide output adds columns to the same table layout", "[cli]") {
  Table narrow({"NAME", "STATUS"});
  Table wide({"NAME", "STATUS", "NAMESPACES"});
  narrow.add_row({"m1", "Successful"});
  wide.add_row({"m1", "Successful", "zookeeper,kafka"});
  CHECK(narrow.to_string() == "NAME   STATUS\nm1     Successful\n");
  CHECK(wide.to_string() == "NAME   STATUS       NAMESPACES\nm1     Successful   zookeeper,kafka\n");
}

TEST_CASE("printer: -o values parse like kubectl's, with its error for the rest", "[cli]") {
  CHECK(*parse_output_format("") == OutputFormat::Table);
  CHECK(*parse_output_format("wide") == OutputFormat::Wide);
  CHECK(*parse_output_format("json") == OutputFormat::Json);
  CHECK(*parse_output_format("yaml") == OutputFormat::Yaml);
  CHECK(*parse_output_format("name") == OutputFormat::Name);
  auto bad = parse_output_format("xml");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == dr::ErrorCode::Usage);
  CHECK(bad.error().kubectl_line() ==
        "error: unable to match a printer suitable for the output format \"xml\", allowed formats are: "
        "json,name,wide,yaml");
  auto no_wide = parse_output_format("wide", false);
  REQUIRE_FALSE(no_wide);
  CHECK(no_wide.error().message.find("allowed formats are: json,name,yaml") != std::string::npos);
  CHECK_FALSE(parse_output_format("JSON"));
  CHECK_FALSE(parse_output_format("jsonpath={.x}"));
}

TEST_CASE("machine-readable formats are told from tables", "[cli]") {
  CHECK(is_machine_readable(OutputFormat::Json));
  CHECK(is_machine_readable(OutputFormat::Name));
  CHECK(is_machine_readable(OutputFormat::Yaml));
  CHECK_FALSE(is_machine_readable(OutputFormat::Table));
  CHECK_FALSE(is_machine_readable(OutputFormat::Wide));
}

TEST_CASE("printer: -o json of a typical object matches kubectl byte for byte", "[cli]") {
  const std::string expected = golden("statefulset.json");
  auto doc = parse(expected);
  CHECK(to_json(doc) == expected);
  std::ostringstream out;
  print_json(out, doc);
  CHECK(out.str() == expected);
}

TEST_CASE("printer: -o json sorts keys at every level and indents by 4", "[cli]") {
  auto doc = parse(R"({"z":1,"a":{"y":[{"b":2,"a":1}],"x":{}},"B":[],"_":null,"a9":true,"a10":false})");
  CHECK(to_json(doc) ==
        "{\n"
        "    \"B\": [],\n"
        "    \"_\": null,\n"
        "    \"a\": {\n"
        "        \"x\": {},\n"
        "        \"y\": [\n"
        "            {\n"
        "                \"a\": 1,\n"
        "                \"b\": 2\n"
        "            }\n"
        "        ]\n"
        "    },\n"
        "    \"a10\": false,\n"
        "    \"a9\": true,\n"
        "    \"z\": 1\n"
        "}\n");
  CHECK(to_json(parse("{}")) == "{}\n");
  CHECK(to_json(parse("[]")) == "[]\n");
}

TEST_CASE("printer: -o json escapes strings as Go's encoding/json does", "[cli]") {
  struct Case {
    const char* input;  // a JSON string literal
    const char* output;
  };
  const Case cases[] = {
      {R"("plain")", R"("plain")"},
      {R"("<b>&</b>")", R"("\u003cb\u003e\u0026\u003c/b\u003e")"},
      {R"("a\"b\\c")", R"("a\"b\\c")"},
      {R"("line\nnext\ttab\rcr")", R"("line\nnext\ttab\rcr")"},
      {R"("\b\f")", R"("\b\f")"},
      {R"("\u0001\u001f")", R"("\u0001\u001f")"},
      {R"("\u007f")", "\"\x7f\""},
      {R"("naïve 日本 😀")", R"("naïve 日本 😀")"},
      {R"("\u2028\u2029")", R"("\u2028\u2029")"},
      {R"("a/b")", R"("a/b")"},
  };
  for (const auto& c : cases) {
    INFO(c.input);
    CHECK(json_value(c.input) == c.output);
  }
  // Invalid UTF-8 becomes U+FFFD, as Go writes it.
  rapidjson::Value bad;
  bad.SetString(
      "a\xff"
      "b");
  CHECK(to_json(bad) == "\"a\\ufffdb\"\n");
}

TEST_CASE("printer: -o json prints numbers as Go prints int64 and float64", "[cli]") {
  CHECK(json_value("0") == "0");
  CHECK(json_value("-42") == "-42");
  CHECK(json_value("9223372036854775807") == "9223372036854775807");
  CHECK(json_value("18446744073709551615") == "18446744073709551615");
  CHECK(json_value("1.5") == "1.5");
  CHECK(json_value("1.0") == "1");
  CHECK(json_value("0.1") == "0.1");
  CHECK(json_value("0.00001") == "0.00001");
  CHECK(json_value("1e-7") == "1e-7");
  CHECK(json_value("1.5e-10") == "1.5e-10");
  CHECK(json_value("1e21") == "1e+21");
  CHECK(json_value("1e20") == "100000000000000000000");
  CHECK(json_value("123456789.125") == "123456789.125");
}

TEST_CASE("printer: -o json of several objects is kubectl's List", "[cli]") {
  std::vector<rapidjson::Document> objects;
  objects.push_back(parse(R"({"kind":"Namespace","apiVersion":"v1","metadata":{"name":"a"}})"));
  objects.push_back(parse(R"({"kind":"Namespace","apiVersion":"v1","metadata":{"name":"b"}})"));
  const std::string expected =
      "{\n"
      "    \"apiVersion\": \"v1\",\n"
      "    \"items\": [\n"
      "        {\n"
      "            \"apiVersion\": \"v1\",\n"
      "            \"kind\": \"Namespace\",\n"
      "            \"metadata\": {\n"
      "                \"name\": \"a\"\n"
      "            }\n"
      "        },\n"
      "        {\n"
      "            \"apiVersion\": \"v1\",\n"
      "            \"kind\": \"Namespace\",\n"
      "            \"metadata\": {\n"
      "                \"name\": \"b\"\n"
      "            }\n"
      "        }\n"
      "    ],\n"
      "    \"kind\": \"List\",\n"
      "    \"metadata\": {\n"
      "        \"resourceVersion\": \"\"\n"
      "    }\n"
      "}\n";
  std::ostringstream out;
  REQUIRE(print_objects(out, OutputFormat::Json, objects));
  CHECK(out.str() == expected);

  std::ostringstream yaml;
  REQUIRE(print_objects(yaml, OutputFormat::Yaml, objects));
  CHECK(yaml.str() ==
        "apiVersion: v1\n"
        "items:\n"
        "- apiVersion: v1\n"
        "  kind: Namespace\n"
        "  metadata:\n"
        "    name: a\n"
        "- apiVersion: v1\n"
        "  kind: Namespace\n"
        "  metadata:\n"
        "    name: b\n"
        "kind: List\n"
        "metadata:\n"
        "  resourceVersion: \"\"\n");

  auto list = make_list(std::move(objects));
  CHECK(to_json(list) == expected);
}

TEST_CASE("print_objects: one object alone, or as a List when asked; none is an empty List", "[cli]") {
  std::vector<rapidjson::Document> one;
  one.push_back(parse(R"({"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"c"}})"));
  std::ostringstream single;
  REQUIRE(print_objects(single, OutputFormat::Yaml, one));
  CHECK(single.str() == "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n");
  std::ostringstream as_list;
  REQUIRE(print_objects(as_list, OutputFormat::Json, one, true));
  CHECK(as_list.str().find("\"kind\": \"List\"") != std::string::npos);
  std::ostringstream empty;
  REQUIRE(print_objects(empty, OutputFormat::Yaml, {}));
  CHECK(empty.str() == "apiVersion: v1\nitems: []\nkind: List\nmetadata:\n  resourceVersion: \"\"\n");
  std::ostringstream table;
  CHECK_FALSE(print_objects(table, OutputFormat::Table, one));
}

TEST_CASE("printer: -o yaml of a typical object matches kubectl byte for byte", "[cli]") {
  auto doc = parse(golden("statefulset.json"));
  CHECK(to_yaml(doc) == golden("statefulset.yaml"));
  std::ostringstream out;
  print_yaml(out, doc);
  CHECK(out.str() == golden("statefulset.yaml"));
}

TEST_CASE("printer: -o yaml quotes strings exactly when go-yaml does", "[cli]") {
  struct Case {
    const char* json;
    const char* yaml;
  };
  const Case cases[] = {
      // plain
      {R"("zk")", "zk"},
      {R"("stork.libopenstorage.org/migrationReplicas")", "stork.libopenstorage.org/migrationReplicas"},
      {R"("http://example.com:8080/x")", "http://example.com:8080/x"},
      {R"("-c")", "-c"},
      {R"("a-b_c.d")", "a-b_c.d"},
      {R"("500m")", "500m"},
      {R"("1Gi")", "1Gi"},
      {R"("v1.2.3")", "v1.2.3"},
      {R"("1.2.3")", "1.2.3"},
      {R"("naïve")", "naïve"},
      {R"("a:b")", "a:b"},
      {R"("a#b")", "a#b"},
      {R"("<<")", "<<"},
      // values that would read back as something else: double-quoted
      {R"("")", R"("")"},
      {R"("true")", R"("true")"},
      {R"("False")", R"("False")"},
      {R"("yes")", R"("yes")"},
      {R"("n")", R"("n")"},
      {R"("on")", R"("on")"},
      {R"("null")", R"("null")"},
      {R"("~")", R"("~")"},
      {R"("3")", R"("3")"},
      {R"("-3")", R"("-3")"},
      {R"("+3")", R"("+3")"},
      {R"("1.0")", R"("1.0")"},
      {R"("1e3")", R"("1e3")"},
      {R"(".5")", R"(".5")"},
      {R"("0755")", R"("0755")"},
      {R"("08")", R"("08")"},
      {R"("0x1F")", R"("0x1F")"},
      {R"("0b101")", R"("0b101")"},
      {R"("1_000")", R"("1_000")"},
      {R"(".inf")", R"(".inf")"},
      {R"("-.Inf")", R"("-.Inf")"},
      {R"(".NaN")", R"(".NaN")"},
      {R"("1:20")", R"("1:20")"},
      {R"("2024-01-15")", R"("2024-01-15")"},
      {R"("2024-1-5")", R"("2024-1-5")"},
      {R"("2026-11-24T06:12:01Z")", R"("2026-11-24T06:12:01Z")"},
      {R"("2026-11-24T06:12:01.123+02:00")", R"("2026-11-24T06:12:01.123+02:00")"},
      {R"("2026-11-24 06:12:01")", R"("2026-11-24 06:12:01")"},
      {R"("2024-13-45")", "2024-13-45"},
      {R"("2024-02-30")", "2024-02-30"},
      // indicators and spaces: single-quoted
      {R"("*")", "'*'"},
      {R"("&anchor")", "'&anchor'"},
      {R"("!tag")", "'!tag'"},
      {R"("%x")", "'%x'"},
      {R"("@x")", "'@x'"},
      {R"("`x")", "'`x'"},
      {R"("|x")", "'|x'"},
      {R"(">x")", "'>x'"},
      {R"("[a]")", "'[a]'"},
      {R"("{a}")", "'{a}'"},
      {R"("#x")", "'#x'"},
      {R"("'q'")", "'''q'''"},
      {R"("\"q\"")", "'\"q\"'"},
      {R"("- x")", "'- x'"},
      {R"("-")", "'-'"},
      {R"(": x")", "': x'"},
      {R"("? x")", "'? x'"},
      {R"("foo: bar")", "'foo: bar'"},
      {R"("foo:")", "'foo:'"},
      {R"("a #b")", "'a #b'"},
      {R"(" x")", "' x'"},
      {R"("x ")", "'x '"},
      {R"("---")", "'---'"},
      {R"("...x")", "'...x'"},
      // characters go-yaml will not print raw: double-quoted with escapes
      {R"("a\tb")", R"("a\tb")"},
      {R"("a\rb")", R"("a\rb")"},
      {R"("\u0001")", R"("\x01")"},
      {R"("\u0085")", R"("\N")"},
      {R"("😀")", R"("\U0001F600")"},
      {R"("\ufeffx")", R"("\uFEFFx")"},
      {R"("a\\b")", R"(a\b)"},
      {R"("tab\t\"q\"\\")", R"("tab\t\"q\"\\")"},
  };
  for (const auto& c : cases) {
    INFO(c.json);
    CHECK(yaml_value(c.json) == c.yaml);
  }
}

TEST_CASE("printer: -o yaml multi-line strings become literal blocks with go-yaml's chomping", "[cli]") {
  CHECK(yaml_value(R"("a\nb")") == "|-\n  a\n  b");
  CHECK(yaml_value(R"("a\nb\n")") == "|\n  a\n  b");
  CHECK(to_yaml(parse(R"({"a":"a\n\n","b":1})")) == "a: |+\n  a\n\nb: 1\n");
  CHECK(yaml_value(R"("a\n\nb")") == "|-\n  a\n\n  b");
  CHECK(yaml_value(R"("  indented\nx")") == "|2-\n    indented\n  x");
  CHECK(yaml_value(R"("\nx")") == "|2-\n\n  x");
  // A space before a line break, or characters that need escapes: double-quoted instead.
  CHECK(yaml_value(R"("a \nb")") == R"("a \nb")");
  CHECK(yaml_value(R"("a\n\tb")") == R"("a\n\tb")");
  CHECK(yaml_value(R"("x\n ")") == R"("x\n ")");
  // Inside a list, the block is indented under the dash.
  auto text = to_yaml(parse(R"({"l":["a\nb"]})"));
  CHECK(text == "l:\n- |-\n  a\n  b\n");
  // A value ending with "|+" at the end of the document is closed with "..." as go-yaml does.
  CHECK(to_yaml(parse(R"({"z":"a\n\n"})")) == "z: |+\n  a\n\n...\n");
}

TEST_CASE("printer: -o yaml folds long strings at a space past column 80", "[cli]") {
  const std::string words =
      "APIVersion defines the versioned schema of this representation of an object. Servers should convert "
      "recognized schemas to the latest internal value, and may reject unrecognized values.";
  auto text = to_yaml(parse(R"({"spec":{"description":")" + words + R"("}})"));
  CHECK(text ==
        "spec:\n"
        "  description: APIVersion defines the versioned schema of this representation of an\n"
        "    object. Servers should convert recognized schemas to the latest internal value,\n"
        "    and may reject unrecognized values.\n");
  // Single-quoted and double-quoted strings fold the same way.
  auto quoted = to_yaml(parse(R"({"k":"- )" + words + R"("})"));
  CHECK(quoted ==
        "k: '- APIVersion defines the versioned schema of this representation of an object.\n"
        "  Servers should convert recognized schemas to the latest internal value, and may\n"
        "  reject unrecognized values.'\n");
  auto escaped = to_yaml(parse(R"({"k":"\t)" + words + R"("})"));
  CHECK(escaped ==
        "k: \"\\tAPIVersion defines the versioned schema of this representation of an object.\n"
        "  Servers should convert recognized schemas to the latest internal value, and may\n"
        "  reject unrecognized values.\"\n");
  // Keys are never folded; a string without spaces is never folded.
  const std::string long_word(120, 'x');
  CHECK(to_yaml(parse(R"({"k":")" + long_word + R"("})")) == "k: " + long_word + "\n");
}

TEST_CASE("printer: -o yaml layout: indentless lists, empty collections, nulls, numbers", "[cli]") {
  auto doc = parse(R"({"items":[{"name":"a","ports":[{"port":80},{"port":443}]},"s",[1,[2,3]],{},[]],
    "empty":{},"none":[],"nothing":null,"t":true,"f":false,"i":-7,"x":1.5,"big":1234567.5,"small":0.00001,
    "whole":2.0,"e":1e21})");
  CHECK(to_yaml(doc) ==
        "big: 1.2345675e+06\n"
        "e: 1e+21\n"
        "empty: {}\n"
        "f: false\n"
        "i: -7\n"
        "items:\n"
        "- name: a\n"
        "  ports:\n"
        "  - port: 80\n"
        "  - port: 443\n"
        "- s\n"
        "- - 1\n"
        "  - - 2\n"
        "    - 3\n"
        "- {}\n"
        "- []\n"
        "none: []\n"
        "nothing: null\n"
        "small: 1e-05\n"
        "t: true\n"
        "whole: 2\n"
        "x: 1.5\n");
  CHECK(to_yaml(parse("{}")) == "{}\n");
  CHECK(to_yaml(parse("[]")) == "[]\n");
  CHECK(to_yaml(parse(R"(["a","b"])")) == "- a\n- b\n");
}

TEST_CASE("printer: -o yaml orders keys as go-yaml does (numbers inside keys, symbols first)", "[cli]") {
  auto doc = parse(R"({"a10":1,"a9":2,"B":3,"_z":4,"a":5,"A":6,"a-b":7,"ab":8,"x1y":9,"x01y":10})");
  CHECK(to_yaml(doc) ==
        "_z: 4\n"
        "A: 6\n"
        "B: 3\n"
        "a: 5\n"
        "a-b: 7\n"
        "a9: 2\n"
        "a10: 1\n"
        "ab: 8\n"
        "x1y: 9\n"
        "x01y: 10\n");
}

TEST_CASE("printer: -o yaml quotes keys that would not read back as strings", "[cli]") {
  auto doc = parse(R"({"true":1,"3":2,"":3,"a: b":4,"k\tx":5,"*":6})");
  CHECK(to_yaml(doc) ==
        "\"\": 3\n"
        "'*': 6\n"
        "\"3\": 2\n"
        "'a: b': 4\n"
        "\"k\\tx\": 5\n"
        "\"true\": 1\n");
}

TEST_CASE("printer: -o name is lower-case kind, group and name", "[cli]") {
  CHECK(object_name_for_output("MigrationSchedule", "stork.libopenstorage.org/v1alpha1", "x") ==
        "migrationschedule.stork.libopenstorage.org/x");
  CHECK(object_name_for_output("StatefulSet", "apps/v1", "zk") == "statefulset.apps/zk");
  CHECK(object_name_for_output("Namespace", "v1", "x") == "namespace/x");
  CHECK(object_name_for_output("ClusterDomainUpdate", "stork.libopenstorage.org/v1alpha1", "u") ==
        "clusterdomainupdate.stork.libopenstorage.org/u");
  auto object = parse(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"}})");
  CHECK(object_name_for_output(object) == "deployment.apps/web");

  std::vector<rapidjson::Document> objects;
  objects.push_back(parse(R"({"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"zk"}})"));
  objects.push_back(parse(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}})"));
  std::ostringstream out;
  REQUIRE(print_objects(out, OutputFormat::Name, objects));
  CHECK(out.str() == "statefulset.apps/zk\nconfigmap/c\n");
}

TEST_CASE("YAML and JSON printers agree with the object reader (round trip)", "[cli]") {
  auto doc = parse(golden("statefulset.json"));
  auto back = read_objects(to_yaml(doc), "golden");
  REQUIRE(back);
  REQUIRE(back->size() == 1);
  CHECK(to_json(back->front()) == golden("statefulset.json"));
}
