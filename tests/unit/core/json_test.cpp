#include <catch2/catch.hpp>

#include "dr/core/json.hpp"
#include "dr/core/time.hpp"

namespace {
rapidjson::Document parse(std::string_view text) {
  rapidjson::Document doc;
  REQUIRE_FALSE(dr::json::parse_untrusted(doc, text));
  return doc;
}
std::string quoted(std::string_view text, bool go) {
  std::string out;
  go ? dr::json::append_go_quoted(out, text) : dr::json::append_quoted(out, text);
  return out;
}
}  // namespace

TEST_CASE("json: member access never throws or asserts on the wrong shape", "[core]") {
  auto doc = parse(
      R"({"metadata":{"name":"zk","namespace":"kafka","labels":{"a":"b"},"annotations":{"k":""},)"
      R"("ownerReferences":[{}]},"spec":{"replicas":3,"paused":true},"kind":"StatefulSet","dup":1,"dup":2})");
  CHECK(dr::json::object_name(doc) == "zk");
  CHECK(dr::json::namespaced_name(doc) == "kafka/zk");
  CHECK(dr::json::string_member(doc, "kind") == "StatefulSet");
  CHECK(dr::json::string_member(doc, "spec").empty());  // not a string
  CHECK(*dr::json::int_at(doc, "spec.replicas") == 3);
  CHECK(*dr::json::bool_at(doc, "spec.paused"));
  CHECK_FALSE(dr::json::int_at(doc, "spec.paused"));
  CHECK(dr::json::member(doc, "dup")->GetInt() == 1);  // the first of a repeated key
  CHECK(dr::json::annotation(doc, "k").value() == "");
  CHECK_FALSE(dr::json::annotation(doc, "missing"));
  CHECK(dr::json::labels_of(doc)->IsObject());
  CHECK(dr::json::has_owner_references(doc));

  auto array = parse("[1,2]");
  CHECK(dr::json::member(array, "x") == nullptr);
  CHECK(dr::json::object_name(array).empty());
  CHECK(dr::json::at_path(array, "a.b") == nullptr);
}

TEST_CASE("json: the two string dialects", "[core]") {
  CHECK(quoted("plain", false) == "\"plain\"");
  CHECK(quoted("a\"b\\c\n\t\r", false) == R"("a\"b\\c\n\t\r")");
  CHECK(quoted(std::string("\b\f\x01", 3), false) == R"("\u0008\u000c\u0001")");
  CHECK(quoted("<&>", false) == "\"<&>\"");
  CHECK(quoted("\xff", false) == "\"\xff\"");  // bytes as given: the API server validates

  CHECK(quoted(std::string("\b\f\x01", 3), true) == R"("\b\f\u0001")");
  CHECK(quoted("<&>", true) == R"("\u003c\u0026\u003e")");
  CHECK(quoted("\xff", true) == R"("\ufffd")");
  CHECK(quoted("\xE2\x80\xA8\xE2\x80\xA9", true) == R"("\u2028\u2029")");
  CHECK(quoted("\xC3\xA9", true) == "\"\xC3\xA9\"");
}

TEST_CASE("time: civil fields and the lenient parser", "[core]") {
  auto t = dr::parse_rfc3339("2026-11-24T06:12:01.5+02:00");
  REQUIRE(t);
  const auto civil = dr::civil_utc(*t);
  CHECK(civil.year == 2026);
  CHECK(civil.month == 11);
  CHECK(civil.day == 24);
  CHECK(civil.hour == 4);
  CHECK(civil.minute == 12);
  CHECK(civil.second == 1);
  CHECK(dr::format_rfc3339(*t) == "2026-11-24T04:12:01Z");
  CHECK(dr::parse_rfc3339_or_none("2026-11-24T04:12:01Z") ==
        dr::parse_rfc3339("2026-11-24T04:12:01Z").value());
  CHECK_FALSE(dr::parse_rfc3339_or_none(""));
  CHECK_FALSE(dr::parse_rfc3339_or_none("yesterday"));
}
