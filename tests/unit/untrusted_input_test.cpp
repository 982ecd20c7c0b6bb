// Hostile input found or feared by the fuzz targets (tests/fuzz): each parser of untrusted bytes
// answers with an error, never a crash, a stack overflow or unbounded memory.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <string>

#include "dr/cli/objects_input.hpp"
#include "dr/core/json.hpp"
#include "dr/kube/api_client.hpp"
#include "dr/kube/credentials.hpp"
#include "dr/stork/planner.hpp"
#include "kube/api_internal.hpp"

namespace {

// Far past kMaxNesting, and deep enough that a recursive parser would overflow the stack.
std::string nested_arrays(std::size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

dr::kube::ExecConfig v1_exec() {
  dr::kube::ExecConfig exec;
  exec.command = "plugin";
  exec.api_version = "client.authentication.k8s.io/v1";
  return exec;
}

}  // namespace

TEST_CASE("nesting is measured outside strings only", "[json]") {
  using dr::json::find_excess_nesting;
  CHECK_FALSE(find_excess_nesting(nested_arrays(dr::json::kMaxNesting)));
  CHECK(find_excess_nesting(nested_arrays(dr::json::kMaxNesting + 1)) == dr::json::kMaxNesting);
  CHECK(find_excess_nesting("[[[", 2) == 2u);
  CHECK_FALSE(find_excess_nesting(R"(["[[[[", "\"[[[["])", 2));
  CHECK_FALSE(find_excess_nesting("[][][][]", 1));
}

TEST_CASE("deeply nested JSON is refused at the bracket past the limit, and what is allowed parses",
          "[json]") {
  rapidjson::Document doc;
  auto refused = dr::json::parse_untrusted(doc, nested_arrays(200000));
  REQUIRE(refused);
  CHECK(*refused == "nesting deeper than 1000 levels at offset 1000");
  CHECK(doc.IsNull());
  // Objects count as arrays do; "{\"a\":" is five characters.
  std::string objects;
  for (std::size_t level = 0; level <= dr::json::kMaxNesting; ++level) objects += "{\"a\":";
  refused = dr::json::parse_untrusted(doc, objects);
  REQUIRE(refused);
  CHECK(*refused == "nesting deeper than 1000 levels at offset " + std::to_string(5 * dr::json::kMaxNesting));
  // Brackets inside strings are text, not levels.
  REQUIRE_FALSE(dr::json::parse_untrusted(doc, "[\"" + std::string(5000, '[') + "\"]"));
  CHECK(doc[0].GetStringLength() == 5000);
  // Whichever problem comes first in the text is the one reported.
  refused = dr::json::parse_untrusted(doc, "[1,}" + nested_arrays(5000));
  REQUIRE(refused);
  CHECK(refused->find("nesting") == std::string::npos);
  CHECK(refused->find("at offset 3") != std::string::npos);
  REQUIRE_FALSE(dr::json::parse_untrusted(doc, nested_arrays(dr::json::kMaxNesting)));
  CHECK(doc.IsArray());
  auto invalid = dr::json::parse_untrusted(doc, R"({"a":)");
  REQUIRE(invalid);
  CHECK(invalid->find("at offset 5") != std::string::npos);
}

TEST_CASE("parse_untrusted reads exactly the text given, and the document owns its strings", "[json]") {
  rapidjson::Document doc;
  SECTION("a view into a longer buffer ends where the view ends") {
    const std::string buffer = R"({"a":"b"}{"c":1})";
    REQUIRE_FALSE(dr::json::parse_untrusted(doc, std::string_view(buffer).substr(0, 9)));
    CHECK(doc["a"] == "b");
    CHECK_FALSE(doc.HasMember("c"));
  }
  SECTION("a NUL byte is refused where it is, even after a complete document") {
    auto refused = dr::json::parse_untrusted(doc, std::string_view("{\"a\":1}\0{}", 10));
    REQUIRE(refused);
    CHECK(*refused == "invalid character NUL at offset 7");
    CHECK(doc.IsNull());
    refused = dr::json::parse_untrusted(doc, std::string_view("[\"a\0b\"]", 7));
    REQUIRE(refused);
    CHECK(*refused == "invalid character NUL at offset 3");
  }
  SECTION("escapes are decoded, long and short strings alike") {
    const std::string long_text(100, 'x');
    REQUIRE_FALSE(dr::json::parse_untrusted(doc, R"(["a\nb\u00e9\"", ")" + long_text + R"(\t", ""])"));
    CHECK(std::string(doc[0].GetString(), doc[0].GetStringLength()) == "a\nb\xc3\xa9\"");
    CHECK(std::string(doc[1].GetString(), doc[1].GetStringLength()) == long_text + "\t");
    CHECK(doc[2].GetStringLength() == 0);
  }
  SECTION("copies outlive the parsed document and its text") {
    // RapidJSON's CopyFrom shares strings it did not allocate: the parse must leave none such.
    rapidjson::Document copy;
    {
      std::string text = R"({"metadata":{"name":"a-name-longer-than-a-short-string","namespace":"ns"}})";
      rapidjson::Document parsed;
      REQUIRE_FALSE(dr::json::parse_untrusted(parsed, text));
      copy.CopyFrom(parsed["metadata"], copy.GetAllocator());
      text.assign(text.size(), '#');
    }
    CHECK(copy["name"] == "a-name-longer-than-a-short-string");
    CHECK(copy["namespace"] == "ns");
  }
}

TEST_CASE("API answers: deep nesting is a Decode error, a deep error body still gives the status", "[api]") {
  auto parsed = dr::kube::detail::parse_json(nested_arrays(100000), "get statefulsets.apps");
  REQUIRE_FALSE(parsed);
  CHECK(parsed.error().code == dr::ErrorCode::Decode);
  CHECK(parsed.error().message ==
        "the server's answer to get statefulsets.apps is not valid JSON: nesting deeper than 1000 levels at "
        "offset 1000");

  dr::kube::HttpResponse response;
  response.status = 503;
  response.body = "{\"kind\":\"Status\",\"x\":" + nested_arrays(100000) + "}";
  auto error = dr::kube::error_from_response(response);
  CHECK(error.code == dr::ErrorCode::Server);
  CHECK(error.http_status == 503);
  CHECK(error.reason == "ServiceUnavailable");

  auto page = dr::kube::detail::decode_list_page("{\"items\":" + nested_arrays(5000) + "}", "list x");
  REQUIRE_FALSE(page);
  CHECK(page.error().code == dr::ErrorCode::Decode);

  auto event = dr::kube::detail::decode_watch_line(
      "{\"type\":\"ADDED\",\"object\":" + nested_arrays(5000) + "}", "watch x");
  REQUIRE_FALSE(event);
  CHECK(event.error().message == "watch x: an event is not valid JSON");
}

TEST_CASE("list pages and watch lines decode as the client expects", "[api]") {
  auto page = dr::kube::detail::decode_list_page(
      R"({"kind":"List","metadata":{"resourceVersion":"7","continue":"abc"},"items":null})", "list x");
  REQUIRE(page);
  CHECK(page->items().IsArray());
  CHECK(page->resource_version == "7");
  CHECK(page->continue_token == "abc");
  CHECK_FALSE(dr::kube::detail::decode_list_page(R"({"items":{}})", "list x"));
  CHECK_FALSE(dr::kube::detail::decode_list_page(R"([1])", "list x"));

  auto bookmark = dr::kube::detail::decode_watch_line(R"({"type":"BOOKMARK","object":{}})", "watch x");
  REQUIRE(bookmark);
  CHECK_FALSE(*bookmark);
  auto added = dr::kube::detail::decode_watch_line(R"({"type":"ADDED","object":{"kind":"Pod"}})", "watch x");
  REQUIRE(added);
  REQUIRE(*added);
  CHECK((*added)->type == "ADDED");
  CHECK(std::string((*added)->object()["kind"].GetString()) == "Pod");
  auto expired = dr::kube::detail::decode_watch_line(
      R"({"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired","message":"too old"}})",
      "watch x");
  REQUIRE_FALSE(expired);
  CHECK(expired.error().http_status == 410);
  CHECK(expired.error().reason == "Expired");
}

TEST_CASE("exec plugin output: deep nesting is an Auth error that does not quote the output",
          "[credentials]") {
  const std::string output = R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",)"
                             R"("status":{"token":"s3cr3t","x":)" +
                             nested_arrays(100000) + "}}";
  auto decoded = dr::kube::decode_exec_credential(output, v1_exec());
  REQUIRE_FALSE(decoded);
  CHECK(decoded.error().code == dr::ErrorCode::Auth);
  CHECK(decoded.error().message.find("nesting deeper than 1000 levels") != std::string::npos);
  CHECK(decoded.error().message.find("s3cr3t") == std::string::npos);

  auto ok = dr::kube::decode_exec_credential(
      R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"t"}})",
      v1_exec());
  REQUIRE(ok);
  CHECK(ok->credentials.bearer_token == "t");
  CHECK_FALSE(ok->expiry);
}

TEST_CASE("exec plugin output: an expiry outside the representable years is refused, not overflowed",
          "[credentials]") {
  // Found by the exec_credential fuzzer: year 1 in nanoseconds since 1970 overflowed 64 bits.
  for (const char* when : {"0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "1677-01-01T00:00:00Z"}) {
    const std::string output = std::string(R"({"apiVersion":"client.authentication.k8s.io/v1",)") +
                               R"("kind":"ExecCredential","status":{"token":"t","expirationTimestamp":")" +
                               when + "\"}}";
    auto decoded = dr::kube::decode_exec_credential(output, v1_exec());
    INFO(when);
    REQUIRE_FALSE(decoded);
    CHECK(decoded.error().code == dr::ErrorCode::Auth);
    CHECK(decoded.error().message.find("expirationTimestamp") != std::string::npos);
  }
}

TEST_CASE("objects input: deeply nested JSON is an error naming the position", "[cli]") {
  auto objects = dr::cli::read_objects("{\"kind\":\"List\",\"items\":" + nested_arrays(100000) + "}", "-");
  REQUIRE_FALSE(objects);
  CHECK(objects.error().code == dr::ErrorCode::Decode);
  CHECK(objects.error().message == "error parsing -: nesting deeper than 1000 levels (line 1, column 1023)");
}

TEST_CASE("objects input: YAML aliases may not expand the document without bound", "[cli]") {
  // Ten levels of ten aliases each: 10^10 nodes once expanded, from under 1 KB of text.
  std::string yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int level = 1; level <= 10; ++level) {
    const std::string prev = "*a" + std::to_string(level - 1);
    yaml += "a" + std::to_string(level) + ": &a" + std::to_string(level) + " [";
    for (int i = 0; i < 10; ++i) yaml += (i ? ", " : "") + prev;
    yaml += "]\n";
  }
  auto objects = dr::cli::read_objects(yaml, "bomb.yaml");
  REQUIRE_FALSE(objects);
  CHECK(objects.error().message.find("error parsing bomb.yaml: error converting YAML to JSON: yaml: ") == 0);
  CHECK(objects.error().message.find("document contains excessive aliasing") != std::string::npos);

  // Ordinary use of anchors still works.
  auto fine = dr::cli::read_objects(
      "base: &b {name: a}\nkind: List\nitems: [{kind: X, metadata: *b}, {kind: Y, metadata: *b}]\n",
      "ok.yaml");
  REQUIRE(fine);
  CHECK(fine->size() == 2);
}

TEST_CASE("planner: a listed item that is not an object, or has no resourceVersion, is never written",
          "[stork]") {
  // Found by the replica_annotations fuzzer: a bare number reached a member lookup, and an object
  // without metadata.resourceVersion built a precondition from a null string.
  const auto targets = dr::stork::activation_targets({});
  for (const char* text : {"3", "[]", "\"x\"", "null", R"({"metadata":{"name":"a","namespace":"n"}})",
                           R"({"metadata":{"name":"a","namespace":"n","resourceVersion":""},"spec":{}})"}) {
    rapidjson::Document object;
    object.Parse(text);
    REQUIRE_FALSE(object.HasParseError());
    for (auto mode : {dr::stork::Mode::ActivateMigration, dr::stork::Mode::DeactivateMigration,
                      dr::stork::Mode::DeactivateApps}) {
      for (const auto& target : targets) {
        INFO(text << " as " << target.label);
        const auto planned = dr::stork::plan(mode, target, object);
        const auto* skipped = dr::stork::as_skip(planned);
        REQUIRE(skipped != nullptr);
        CHECK(skipped->reason == dr::stork::SkipReason::Malformed);
      }
    }
  }
}

TEST_CASE("objects input: YAML that makes yaml-cpp's LoadAll loop forever is an error", "[cli]") {
  // Found by the objects_input fuzzer (yaml-cpp 0.7 bug): a stray top-level comma.
  for (const char* text : {",", ",a", ",[]", "kind: List\n,\n"}) {
    INFO(text);
    auto objects = dr::cli::read_objects(text, "-");
    REQUIRE_FALSE(objects);
    CHECK(objects.error().message.find("error converting YAML to JSON") != std::string::npos);
  }
  // Empty documents at different places are fine.
  auto empty = dr::cli::read_objects("---\n---\nkind: ConfigMap\nmetadata: {name: a}\n", "-");
  REQUIRE(empty);
  CHECK(empty->size() == 1);
}
