#include <catch2/catch.hpp>

#include "selectors.hpp"
#include "test_util.hpp"

using emu::test::json;

namespace {
bool matches(const std::string& selector, const std::string& labels) {
  auto l = json(labels);
  return emu::parse_label_selector(selector).matches(&l);
}
}  // namespace

TEST_CASE("label selectors: equality", "[emulator][selectors]") {
  CHECK(matches("app=zk", R"({"app":"zk"})"));
  CHECK(matches("app==zk", R"({"app":"zk","x":"y"})"));
  CHECK_FALSE(matches("app=zk", R"({"app":"web"})"));
  CHECK(matches("app!=zk", R"({"app":"web"})"));
  CHECK(matches("app!=zk", R"({})"));
  CHECK(matches("app=zk, tier = db", R"({"app":"zk","tier":"db"})"));
  CHECK_FALSE(matches("app=zk,tier=db", R"({"app":"zk"})"));
  CHECK(matches("", R"({})"));
}

TEST_CASE("label selectors: set-based and existence", "[emulator][selectors]") {
  CHECK(matches("tier in (a, b)", R"({"tier":"b"})"));
  CHECK_FALSE(matches("tier in (a,b)", R"({"tier":"c"})"));
  CHECK_FALSE(matches("tier in (a,b)", R"({})"));
  CHECK(matches("tier notin (a,b)", R"({})"));
  CHECK(matches("tier notin (a,b)", R"({"tier":"c"})"));
  CHECK(matches("legacy", R"({"legacy":""})"));
  CHECK(matches("!legacy", R"({"x":"y"})"));
  CHECK_FALSE(matches("!legacy", R"({"legacy":"true"})"));
  CHECK(matches("example.com/role in (in,notin)", R"({"example.com/role":"notin"})"));
  CHECK(matches("n>3,n<10", R"({"n":"5"})"));
  CHECK_FALSE(matches("n>3", R"({"n":"2"})"));
}

TEST_CASE("label selector syntax errors are 400 with the apiserver's wording", "[emulator][selectors]") {
  auto e = emu::test::status_of([] { emu::parse_label_selector("app in a"); });
  CHECK(e.code == 400);
  CHECK(e.message == "unable to parse requirement: found 'a' expected: '('");
  CHECK(emu::test::status_of([] { emu::parse_label_selector("app=zk,"); }).message ==
        "found '', expected: identifier after ','");
  CHECK(emu::test::status_of([] { emu::parse_label_selector("a b"); }).message ==
        "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt");
  CHECK(emu::test::status_of([] { emu::parse_label_selector("a=b c=d"); }).message ==
        "found 'c', expected: ',' or 'end of string'");
  CHECK(emu::test::status_of([] {
          emu::parse_label_selector("-bad=1");
        }).message.find("name part must consist") != std::string::npos);
  CHECK(emu::test::status_of([] {
          emu::parse_label_selector("x in ()");
        }).message.find("values set can't be empty") != std::string::npos);
}

TEST_CASE("field selectors: metadata.name, metadata.namespace, per-kind fields", "[emulator][selectors]") {
  auto obj = json(R"({"metadata":{"name":"zk","namespace":"zookeeper"},"status":{"phase":"Running"}})");
  CHECK(emu::parse_field_selector("metadata.name=zk", "apps", "statefulsets").matches(obj));
  CHECK(emu::parse_field_selector("metadata.name==zk,metadata.namespace!=default", "apps", "statefulsets")
            .matches(obj));
  CHECK_FALSE(emu::parse_field_selector("metadata.namespace=default", "apps", "statefulsets").matches(obj));
  CHECK(emu::parse_field_selector("status.phase=Running", "", "pods").matches(obj));
  CHECK(emu::parse_field_selector("metadata.name=zk", "apps", "statefulsets").exact_name() == "zk");
  auto e = emu::test::status_of([] { emu::parse_field_selector("spec.foo=1", "apps", "statefulsets"); });
  CHECK(e.code == 400);
  CHECK(e.message == "field label not supported: spec.foo");
  CHECK(emu::test::status_of([] { emu::parse_field_selector("metadata.name", "", "pods"); }).message ==
        "invalid selector: 'metadata.name'; can't understand 'metadata.name'");
}
