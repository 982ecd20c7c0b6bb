// The API client: Status decoding, URL and query building, paging, writes, watches, concurrent
// writes and discovery, against the scripted loopback server.
#include <rapidjson/document.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "dr/kube/api_client.hpp"
#include "kube/api_internal.hpp"
#include "support/wire_test_server.hpp"

using namespace std::chrono_literals;
using wiretest::config_for;
using wiretest::fast_retries;
using wiretest::Reply;
using wiretest::Request;
using wiretest::ScriptedServer;
namespace types = dr::kube::types;

namespace {

dr::Error error_for(long status, std::string body) {
  dr::kube::HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return dr::kube::error_from_response(response);
}

// A client without credentials (the scripted server does not check them).
dr::kube::ApiClient client_for(const ScriptedServer& server, std::size_t inflight = 8) {
  return dr::kube::ApiClient(config_for(server.url()), nullptr, fast_retries(inflight));
}

rapidjson::Document json(const char* text) {
  rapidjson::Document document;
  document.Parse(text);
  return document;
}

}  // namespace

// ---- Status decoding ----------------------------------------------------------------------------

TEST_CASE("Status: NotFound keeps the server's message verbatim", "[api]") {
  auto error = error_for(
      404,
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"migrationschedules.stork.libopenstorage.org \"x\" not found","reason":"NotFound","details":{"name":"x","group":"stork.libopenstorage.org","kind":"migrationschedules"},"code":404})");
  CHECK(error.code == dr::ErrorCode::Server);
  CHECK(error.is_not_found());
  CHECK(error.reason == "NotFound");
  CHECK(error.message == R"(migrationschedules.stork.libopenstorage.org "x" not found)");
  CHECK(error.kubectl_line() ==
        R"(Error from server (NotFound): migrationschedules.stork.libopenstorage.org "x" not found)");
}

TEST_CASE("Status: Conflict, AlreadyExists, Invalid, Forbidden, Unauthorized", "[api]") {
  auto conflict = error_for(
      409,
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Operation cannot be fulfilled on statefulsets.apps \"zk\": the object has been modified; please apply your changes to the latest version and try again","reason":"Conflict","details":{"name":"zk","group":"apps","kind":"statefulsets"},"code":409})");
  CHECK(conflict.is_conflict());
  CHECK(conflict.reason == "Conflict");

  auto exists = error_for(
      409,
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"migrations.stork.libopenstorage.org \"m1\" already exists","reason":"AlreadyExists","details":{"name":"m1","group":"stork.libopenstorage.org","kind":"migrations"},"code":409})");
  CHECK(exists.http_status == 409);
  CHECK(exists.reason == "AlreadyExists");
  CHECK(exists.kubectl_line() ==
        R"(Error from server (AlreadyExists): migrations.stork.libopenstorage.org "m1" already exists)");

  auto invalid = error_for(
      422,
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"StatefulSet.apps \"zk\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0","reason":"Invalid","details":{"name":"zk","group":"apps","kind":"StatefulSet","causes":[{"reason":"FieldValueInvalid","message":"Invalid value: -1: must be greater than or equal to 0","field":"spec.replicas"}]},"code":422})");
  CHECK(invalid.http_status == 422);
  CHECK(invalid.reason == "Invalid");
  CHECK(
      invalid.message ==
      R"(StatefulSet.apps "zk" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0)");

  auto forbidden = error_for(
      403,
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"statefulsets.apps \"zk\" is forbidden: User \"bob\" cannot patch resource \"statefulsets\" in API group \"apps\" in the namespace \"zookeeper\"","reason":"Forbidden","details":{"name":"zk","group":"apps","kind":"statefulsets"},"code":403})");
  CHECK(forbidden.is_forbidden());
  CHECK_THAT(forbidden.kubectl_line(),
             Catch::StartsWith(
                 "Error from server (Forbidden): statefulsets.apps \"zk\" is forbidden: User \"bob\""));

  auto unauthorized = error_for(
      401,
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401})");
  CHECK(unauthorized.http_status == 401);
  CHECK(unauthorized.kubectl_line() == "Error from server (Unauthorized): Unauthorized");

  // The watch ERROR event's Status for a too-old resourceVersion.
  auto expired = error_for(
      500,
      R"j({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 100 (2000)","reason":"Expired","code":410})j");
  CHECK(expired.http_status == 410);
  CHECK(expired.reason == "Expired");
}

TEST_CASE("Status: a Status without reason or message is completed from its code", "[api]") {
  auto bare = error_for(404, R"({"kind":"Status","code":404})");
  CHECK(bare.reason == "NotFound");
  CHECK(bare.message == "the server could not find the requested resource");
  auto zero = error_for(503, R"({"kind":"Status","status":"Failure","code":0})");
  CHECK(zero.http_status == 503);
}

TEST_CASE("non-Status answers: the HTTP status says what happened", "[api]") {
  auto html = error_for(503, "<html>down</html>");
  CHECK(html.code == dr::ErrorCode::Server);
  CHECK(html.reason == "ServiceUnavailable");
  CHECK(html.kubectl_line() ==
        "Error from server (ServiceUnavailable): the server is currently unable to handle the request");
  CHECK(error_for(404, "404 page not found").message == "the server could not find the requested resource");
  CHECK(error_for(401, "").message == "Unauthorized");
  CHECK(error_for(401, "").reason == "Unauthorized");
  CHECK(error_for(403, "").message == "Forbidden");
  CHECK(error_for(403, "access denied by proxy\n").message == "access denied by proxy");
  CHECK(error_for(500, "etcd is down").message ==
        R"(an error on the server ("etcd is down") has prevented the request from succeeding)");
  CHECK(error_for(418, "").message ==
        "the server responded with the status code 418 but did not return more information");
  CHECK(error_for(429, "").reason == "TooManyRequests");
  // A JSON body that is not a Status (e.g. an object) is not mistaken for one.
  CHECK(error_for(404, R"({"kind":"StatefulSet"})").message ==
        "the server could not find the requested resource");
}

// ---- URLs -------------------------------------------------------------------------------------

TEST_CASE("resource paths and query strings", "[api]") {
  CHECK(types::statefulsets.path("zookeeper", "zk") == "/apis/apps/v1/namespaces/zookeeper/statefulsets/zk");
  CHECK(types::statefulsets.path() == "/apis/apps/v1/statefulsets");
  CHECK(types::statefulsets.path("ns", "zk", "scale") == "/apis/apps/v1/namespaces/ns/statefulsets/zk/scale");
  CHECK(types::namespaces.path("", "x") == "/api/v1/namespaces/x");
  CHECK(types::clusterdomainsstatuses.path("ignored") ==
        "/apis/stork.libopenstorage.org/v1alpha1/clusterdomainsstatuses");

  CHECK(dr::kube::percent_encode("app=zk,tier in (db, cache)") ==
        "app%3Dzk%2Ctier%20in%20%28db%2C%20cache%29");
  CHECK(dr::kube::percent_encode("a-b_c.d~e") == "a-b_c.d~e");
  CHECK(dr::kube::percent_encode("é/?&#+") == "%C3%A9%2F%3F%26%23%2B");
  CHECK(dr::kube::with_query("/api/v1/pods",
                             {{"limit", "500"}, {"continue", ""}, {"labelSelector", "app=zk"}}) ==
        "/api/v1/pods?limit=500&labelSelector=app%3Dzk");
  CHECK(dr::kube::with_query("/x?watch=1", {{"a", "b"}}) == "/x?watch=1&a=b");
  CHECK(dr::kube::with_query("/x", {}) == "/x");
  CHECK(dr::kube::patch_content_type(dr::kube::PatchType::Merge) == "application/merge-patch+json");
  CHECK(dr::kube::patch_content_type(dr::kube::PatchType::Json) == "application/json-patch+json");
  CHECK(dr::kube::patch_content_type(dr::kube::PatchType::Strategic) ==
        "application/strategic-merge-patch+json");
}

// ---- Requests ---------------------------------------------------------------------------------

TEST_CASE("get, create, update, patch and remove send what the API expects", "[api]") {
  ScriptedServer server([](const Request& request) {
    if (request.method == "DELETE") return Reply::json(200, R"({"kind":"Status","status":"Success"})");
    if (request.path.find("/missing") != std::string::npos) {
      return Reply::json(
          404,
          R"({"kind":"Status","status":"Failure","message":"statefulsets.apps \"missing\" not found","reason":"NotFound","code":404})");
    }
    return Reply::json(request.method == "POST" ? 201 : 200,
                       R"({"kind":"StatefulSet","metadata":{"name":"zk"}})");
  });
  auto client = client_for(server);

  auto got = client.get(types::statefulsets, "zookeeper", "zk");
  REQUIRE(got);
  CHECK(std::string((*got)["metadata"]["name"].GetString()) == "zk");
  auto missing = client.get(types::statefulsets, "zookeeper", "missing");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().kubectl_line() ==
        R"(Error from server (NotFound): statefulsets.apps "missing" not found)");

  auto object =
      json(R"({"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"zk","resourceVersion":"7"}})");
  REQUIRE(client.create(types::statefulsets, "zookeeper", object));
  dr::kube::WriteOptions dry;
  dry.dry_run = true;
  REQUIRE(client.update(types::statefulsets, "zookeeper", object, dry));
  dr::kube::WriteOptions status_write;
  status_write.subresource = "status";
  status_write.field_manager = "dr test";
  REQUIRE(client.patch(types::statefulsets, "zookeeper", "zk", dr::kube::PatchType::Json,
                       R"([{"op":"replace","path":"/spec/replicas","value":0}])", status_write));
  REQUIRE(
      client.patch(types::statefulsets, "zookeeper", "zk", dr::kube::PatchType::Strategic, R"({"spec":{}})"));
  REQUIRE(client.remove(types::statefulsets, "zookeeper", "zk"));

  auto seen = server.seen();
  REQUIRE(seen.size() == 7);
  CHECK(seen[0].method == "GET");
  CHECK(seen[0].path == "/apis/apps/v1/namespaces/zookeeper/statefulsets/zk");
  CHECK(seen[0].has_header("Accept: application/json"));
  CHECK(seen[2].method == "POST");
  CHECK(seen[2].path == "/apis/apps/v1/namespaces/zookeeper/statefulsets?fieldManager=kubectl-dr");
  CHECK(seen[2].has_header("Content-Type: application/json"));
  CHECK(json(seen[2].body.c_str()) == object);
  CHECK(seen[3].method == "PUT");
  CHECK(seen[3].path ==
        "/apis/apps/v1/namespaces/zookeeper/statefulsets/zk?dryRun=All&fieldManager=kubectl-dr");
  CHECK(seen[4].method == "PATCH");
  CHECK(seen[4].path == "/apis/apps/v1/namespaces/zookeeper/statefulsets/zk/status?fieldManager=dr%20test");
  CHECK(seen[4].has_header("Content-Type: application/json-patch+json"));
  CHECK(seen[4].body == R"([{"op":"replace","path":"/spec/replicas","value":0}])");
  CHECK(seen[5].has_header("Content-Type: application/strategic-merge-patch+json"));
  CHECK(seen[6].method == "DELETE");
  CHECK(seen[6].path == "/apis/apps/v1/namespaces/zookeeper/statefulsets/zk");

  auto nameless = json(R"({"metadata":{}})");
  auto refused = client.update(types::statefulsets, "zookeeper", nameless);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == dr::ErrorCode::Usage);
}

TEST_CASE("a 2xx answer that is not JSON is a Decode error", "[api]") {
  ScriptedServer server([](const Request&) { return Reply::json(200, "<html>login</html>"); });
  auto client = client_for(server);
  auto got = client.get(types::pods, "a", "b");
  REQUIRE_FALSE(got);
  CHECK(got.error().code == dr::ErrorCode::Decode);
  CHECK_THAT(got.error().message, Catch::StartsWith("the server's answer to get pods is not valid JSON"));
}

TEST_CASE("list: pages follow continue tokens, with selectors on every page", "[api]") {
  // The server's thread only answers: Catch's assertions are not thread-safe, and the next page's
  // request arrives while the handler below runs its own.
  ScriptedServer server([](const Request& request) {
    if (request.path.find("continue=page2") != std::string::npos) {
      return Reply::json(
          200,
          R"({"kind":"StatefulSetList","metadata":{"resourceVersion":"9"},"items":[{"metadata":{"name":"c"}}]})");
    }
    return Reply::json(
        200,
        R"({"kind":"StatefulSetList","metadata":{"resourceVersion":"9","continue":"page2"},"items":[{"metadata":{"name":"a"}},{"metadata":{"name":"b"}}]})");
  });
  auto client = client_for(server);
  std::vector<std::string> names;
  int pages = 0;
  dr::kube::ListOptions options;
  options.page_size = 2;
  options.label_selector = "app=zk";
  options.field_selector = "metadata.name!=x";
  auto listed = client.list(types::statefulsets, "", options,
                            [&](rapidjson::Value& items, std::string_view rv) -> dr::Result<void> {
                              ++pages;
                              CHECK(rv == "9");
                              for (auto& item : items.GetArray())
                                names.emplace_back(item["metadata"]["name"].GetString());
                              return {};
                            });
  REQUIRE(listed);
  CHECK(names == std::vector<std::string>{"a", "b", "c"});
  CHECK(pages == 2);
  auto seen = server.seen();
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].path.rfind("/apis/apps/v1/statefulsets?", 0) == 0);  // cluster-wide
  for (const auto& request : seen) {
    CHECK(request.path.find("labelSelector=app%3Dzk") != std::string::npos);
    CHECK(request.path.find("fieldSelector=metadata.name%21%3Dx") != std::string::npos);
    CHECK(request.path.find("limit=2") != std::string::npos);
  }
  CHECK(seen[1].path.find("continue=page2") != std::string::npos);
}

TEST_CASE("list: with writes outstanding, pages are decoded while those go on, with the same results",
          "[api]") {
  ScriptedServer server([](const Request& request) {
    if (request.method == "PATCH") return Reply::after(20ms, 200, R"({"metadata":{"name":"zk"}})");
    if (request.path.find("/namespaces/broken/") != std::string::npos)
      return Reply::json(200, R"({"items":[)");
    if (request.path.find("continue=page2") != std::string::npos) {
      return Reply::json(200, R"({"metadata":{"resourceVersion":"9"},"items":[{"metadata":{"name":"c"}}]})");
    }
    return Reply::json(
        200,
        R"({"metadata":{"resourceVersion":"9","continue":"page2"},"items":[{"metadata":{"name":"a"}},{"metadata":{"name":"b"}}]})");
  });
  auto client = client_for(server, 4);
  auto list_names = [&](const char* ns, std::vector<std::string>& names) {
    dr::kube::ListOptions options;
    options.page_size = 2;
    return client.list(types::statefulsets, ns, options, [&](rapidjson::Value& items, std::string_view) {
      for (auto& item : items.GetArray()) names.emplace_back(item["metadata"]["name"].GetString());
      return dr::Result<void>{};
    });
  };
  // Nothing outstanding: decoded inline. These are what the overlapped decoding must match.
  std::vector<std::string> alone;
  REQUIRE(list_names("zookeeper", alone));
  std::vector<std::string> ignored;
  auto broken_alone = list_names("broken", ignored);
  REQUIRE_FALSE(broken_alone);

  int patched = 0;
  for (int i = 0; i < 40; ++i) {
    client.patch_async(types::statefulsets, "ns-" + std::to_string(i), "zk", dr::kube::PatchType::Merge,
                       R"({"spec":{"replicas":1}})", {},
                       [&](dr::Result<rapidjson::Document> result) { patched += result ? 1 : 0; });
  }
  std::vector<std::string> overlapped;
  REQUIRE(list_names("zookeeper", overlapped));
  CHECK(overlapped == alone);
  CHECK(alone == std::vector<std::string>{"a", "b", "c"});
  auto broken_overlapped = list_names("broken", ignored);
  REQUIRE_FALSE(broken_overlapped);
  CHECK(broken_overlapped.error().code == broken_alone.error().code);
  CHECK(broken_overlapped.error().message == broken_alone.error().message);
  client.run_pending();
  CHECK(patched == 40);
}

TEST_CASE("list: an expired continue token restarts the list once", "[api]") {
  std::atomic<int> expirations{0};
  int limit_expirations = 1;
  ScriptedServer server([&](const Request& request) {
    if (request.path.find("continue=") != std::string::npos && expirations < limit_expirations) {
      ++expirations;
      return Reply::json(
          410,
          R"({"kind":"Status","status":"Failure","message":"The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.","reason":"Expired","code":410})");
    }
    if (request.path.find("continue=next") != std::string::npos) {
      return Reply::json(200, R"({"metadata":{"resourceVersion":"2"},"items":[{"metadata":{"name":"b"}}]})");
    }
    return Reply::json(
        200, R"({"metadata":{"resourceVersion":"1","continue":"next"},"items":[{"metadata":{"name":"a"}}]})");
  });
  auto client = client_for(server);
  std::vector<std::string> names;
  auto collect = [&](rapidjson::Value& items, std::string_view) -> dr::Result<void> {
    for (auto& item : items.GetArray()) names.emplace_back(item["metadata"]["name"].GetString());
    return {};
  };
  dr::kube::ListOptions options;
  options.page_size = 1;
  REQUIRE(client.list(types::pods, "ns", options, collect));
  CHECK(names == std::vector<std::string>{"a", "a", "b"});  // re-delivery after the restart

  SECTION("a second expiry is returned") {
    expirations = 0;
    limit_expirations = 2;
    names.clear();
    auto listed = client.list(types::pods, "ns", options, collect);
    REQUIRE_FALSE(listed);
    CHECK(listed.error().reason == "Expired");
  }
}

TEST_CASE("list: a page's continue token is read from its head, as the decoded page has it", "[api]") {
  using dr::kube::detail::peek_continue_token;
  CHECK(peek_continue_token(
            R"({"kind":"PodList","metadata":{"resourceVersion":"9","continue":"tok"},"items":[)") ==
        "tok");  // the items need not have arrived
  CHECK(peek_continue_token(R"({"metadata":{"continue":"a\u003db","remainingItemCount":3},"items":[]})") ==
        "a=b");
  CHECK(peek_continue_token(R"({"metadata":{"resourceVersion":"9"},"items":[]})").empty());
  CHECK(peek_continue_token(R"({"metadata":{"continue":"first","continue":"second"},"items":[]})") ==
        "first");
  CHECK(peek_continue_token(R"({"metadata":{"continue":"x"},"metadata":{"continue":"y"},"items":[]})") ==
        "x");
  // Only the top-level metadata counts, and only once it is whole.
  CHECK(peek_continue_token(R"({"kind":{"metadata":{"continue":"no"}},"items":[]})").empty());
  CHECK(peek_continue_token(R"({"metadata":{"labels":{"continue":"no"}},"items":[]})").empty());
  CHECK(peek_continue_token(R"({"metadata":{"continue":"cut)").empty());
  // A whole metadata object is enough; what follows is the full decode's to judge.
  CHECK(peek_continue_token(R"({"metadata":{"continue":"whole"})") == "whole");
  // Items first (not kube-apiserver's order): only the full decode knows.
  CHECK(peek_continue_token(R"({"items":[],"metadata":{"continue":"late"}})").empty());
  CHECK(peek_continue_token(R"([{"metadata":{"continue":"no"}}])").empty());
  CHECK(peek_continue_token("").empty());
  CHECK(peek_continue_token("not json").empty());
  CHECK(peek_continue_token("{\"apiVersion\":" + std::string(100000, '[')).empty());  // gives up, flat
}

TEST_CASE("list: the next page is asked for while the handler works on this one", "[api]") {
  ScriptedServer server([](const Request& request) {
    if (request.path.find("continue=page3") != std::string::npos)
      return Reply::json(200, R"({"metadata":{"resourceVersion":"9"},"items":[{"metadata":{"name":"e"}}]})");
    if (request.path.find("continue=page2") != std::string::npos) {
      return Reply::json(
          200,
          R"({"metadata":{"resourceVersion":"9","continue":"page3"},"items":[{"metadata":{"name":"c"}},{"metadata":{"name":"d"}}]})");
    }
    return Reply::json(
        200,
        R"({"metadata":{"resourceVersion":"9","continue":"page2"},"items":[{"metadata":{"name":"a"}},{"metadata":{"name":"b"}}]})");
  });
  auto client = client_for(server);
  std::vector<std::string> names;
  std::vector<int> requests_seen_by_handler;
  dr::kube::ListOptions options;
  options.page_size = 2;
  auto listed =
      client.list(types::statefulsets, "zookeeper", options, [&](rapidjson::Value& items, std::string_view) {
        for (auto& item : items.GetArray()) names.emplace_back(item["metadata"]["name"].GetString());
        // Drive the transport as a bulk caller does while it plans: the next page's request reaches the
        // server before this handler returns.
        const int expected = static_cast<int>(requests_seen_by_handler.size()) + 2;
        for (int step = 0; step < 2000 && server.requests() < expected && names.size() < 5; ++step) {
          client.pump_pending();
          std::this_thread::sleep_for(1ms);
        }
        requests_seen_by_handler.push_back(server.requests());
        return dr::Result<void>{};
      });
  REQUIRE(listed);
  CHECK(names == std::vector<std::string>{"a", "b", "c", "d", "e"});
  CHECK(requests_seen_by_handler == std::vector<int>{2, 3, 3});  // the last page has no next one
  auto seen = server.seen();
  REQUIRE(seen.size() == 3);
  CHECK(seen[1].path.find("continue=page2") != std::string::npos);
  CHECK(seen[2].path.find("continue=page3") != std::string::npos);
}

TEST_CASE("prefetch_list: the next list's first page is asked for at once and taken by that list", "[api]") {
  ScriptedServer server([](const Request& request) {
    if (request.path.find("/deployments") != std::string::npos) {
      if (request.path.find("continue=d2") != std::string::npos)
        return Reply::json(200,
                           R"({"metadata":{"resourceVersion":"7"},"items":[{"metadata":{"name":"d2"}}]})");
      return Reply::json(
          200,
          R"({"metadata":{"resourceVersion":"7","continue":"d2"},"items":[{"metadata":{"name":"d1"}}]})");
    }
    if (request.path.find("/cronjobs") != std::string::npos) {
      return Reply::json(
          404, R"({"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404})");
    }
    return Reply::json(200, R"({"metadata":{"resourceVersion":"7"},"items":[{"metadata":{"name":"s1"}}]})");
  });
  auto client = client_for(server);
  dr::kube::ListOptions options;
  options.page_size = 1;
  options.label_selector = "app=web";
  auto names_of = [&](const dr::kube::ResourceType& type, const dr::kube::ListOptions& with,
                      std::vector<std::string>& names) {
    return client.list(type, "", with, [&](rapidjson::Value& items, std::string_view) {
      for (auto& item : items.GetArray()) names.emplace_back(item["metadata"]["name"].GetString());
      return dr::Result<void>{};
    });
  };

  client.prefetch_list(types::deployments, "", options);
  std::vector<std::string> statefulsets;
  REQUIRE(names_of(types::statefulsets, options, statefulsets));
  CHECK(statefulsets == std::vector<std::string>{"s1"});
  // Both lists' first pages went out before the first list returned; the server answers in any order.
  CHECK(server.requests() == 2);

  std::vector<std::string> deployments;
  REQUIRE(names_of(types::deployments, options, deployments));
  CHECK(deployments == std::vector<std::string>{"d1", "d2"});
  auto seen = server.seen();
  REQUIRE(seen.size() == 3);  // the prefetched first page was not asked for again; its next page was
  CHECK(std::count_if(seen.begin(), seen.end(), [](const Request& request) {
          return request.path == "/apis/apps/v1/deployments?limit=1&labelSelector=app%3Dweb";
        }) == 1);
  CHECK(seen.back().path.find("continue=d2") != std::string::npos);

  SECTION("a prefetch is taken once: the same list again asks the server") {
    deployments.clear();
    REQUIRE(names_of(types::deployments, options, deployments));
    CHECK(deployments == std::vector<std::string>{"d1", "d2"});
    CHECK(server.requests() == 5);
  }
  SECTION("only by the same list: other options ask for their own first page") {
    client.prefetch_list(types::deployments, "", options);
    auto unpaged = options;
    unpaged.page_size = 0;
    deployments.clear();
    REQUIRE(names_of(types::deployments, unpaged, deployments));
    client.run_pending();  // the unclaimed prefetch is still answered, and dropped
    auto all = server.seen();
    REQUIRE(all.size() == 6);  // the unpaged list follows its continue token too
    CHECK(std::count_if(all.begin(), all.end(), [](const Request& request) {
            return request.path == "/apis/apps/v1/deployments?labelSelector=app%3Dweb";
          }) == 1);
  }
  SECTION("an error answer to a prefetch is the list's error") {
    client.prefetch_list(types::cronjobs, "", options);
    std::vector<std::string> cronjobs;
    auto listed = names_of(types::cronjobs, options, cronjobs);
    REQUIRE_FALSE(listed);
    CHECK(listed.error().is_not_found());
    CHECK(cronjobs.empty());
    CHECK(server.requests() == 4);
  }
}

TEST_CASE("list: a page whose token comes after its items is followed after it is decoded", "[api]") {
  ScriptedServer server([](const Request& request) {
    if (request.path.find("continue=page2") != std::string::npos)
      return Reply::json(200, R"({"items":[{"metadata":{"name":"b"}}],"metadata":{"resourceVersion":"9"}})");
    return Reply::json(200, R"({"items":[{"metadata":{"name":"a"}}],"metadata":{"continue":"page2"}})");
  });
  auto client = client_for(server);
  std::vector<std::string> names;
  int requests_in_handler = 0;
  REQUIRE(client.list(types::pods, "", {}, [&](rapidjson::Value& items, std::string_view) {
    for (auto& item : items.GetArray()) names.emplace_back(item["metadata"]["name"].GetString());
    if (names.size() == 1) requests_in_handler = server.requests();
    return dr::Result<void>{};
  }));
  CHECK(names == std::vector<std::string>{"a", "b"});
  CHECK(requests_in_handler == 1);
  CHECK(server.requests() == 2);
}

TEST_CASE("list: empty lists, null items, and a handler that stops", "[api]") {
  ScriptedServer server([](const Request& request) {
    if (request.path.find("/pods") != std::string::npos)
      return Reply::json(200, R"({"metadata":{},"items":null})");
    return Reply::json(200, R"({"metadata":{"continue":"more"},"items":[{}]})");
  });
  auto client = client_for(server);
  int calls = 0;
  REQUIRE(
      client.list(types::pods, "", {}, [&](rapidjson::Value& items, std::string_view) -> dr::Result<void> {
        ++calls;
        CHECK(items.IsArray());
        CHECK(items.Empty());
        return {};
      }));
  CHECK(calls == 1);
  auto stopped =
      client.list(types::configmaps, "", {}, [](rapidjson::Value&, std::string_view) -> dr::Result<void> {
        return dr::Error::make(dr::ErrorCode::Cancelled, "enough");
      });
  REQUIRE_FALSE(stopped);
  CHECK(stopped.error().message == "enough");
  // The stopped list's next page had been asked for already; nothing after it.
  client.run_pending();
  CHECK(server.requests() == 3);
}

TEST_CASE("watch: events until the handler stops; bookmarks skipped; ERROR events become errors", "[api]") {
  ScriptedServer server([](const Request& request) {
    Reply reply;
    if (request.path.find("resourceVersion=old") != std::string::npos) {
      reply.stream = {
          {0ms,
           R"j({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 1 (50)","reason":"Expired","code":410}})j"
           "\n"}};
      return reply;
    }
    // Events split across chunks and lines, as a real server's writes arrive.
    reply.stream = {{0ms, R"({"type":"ADDED","object":{"metadata":{"name":"a"}}})"
                          "\n"
                          R"({"type":"BOOKM)"},
                    {20ms, R"(ARK","object":{"metadata":{"resourceVersion":"12"}}})"
                           "\n"},
                    {20ms, R"({"type":"MODIFIED","object":{"metadata":{"name":"b"}}})"
                           "\n"},
                    {20ms, R"({"type":"DELETED","object":{"metadata":{"name":"c"}}})"
                           "\n"},
                    {10s, R"({"type":"ADDED","object":{"metadata":{"name":"never"}}})"
                          "\n"}};
    return reply;
  });
  auto client = client_for(server);
  std::vector<std::string> events;
  dr::kube::ListOptions options;
  options.label_selector = "app=zk";
  auto watched =
      client.watch(types::statefulsets, "zookeeper", options, "10", 30s,
                   [&](std::string_view type, rapidjson::Value& object) {
                     events.push_back(std::string(type) + " " + object["metadata"]["name"].GetString());
                     return events.size() < 3;
                   });
  REQUIRE(watched);
  CHECK(events == std::vector<std::string>{"ADDED a", "MODIFIED b", "DELETED c"});
  auto path = server.seen().at(0).path;
  CHECK(path ==
        "/apis/apps/v1/namespaces/zookeeper/statefulsets?watch=1&resourceVersion=10&timeoutSeconds=30&"
        "allowWatchBookmarks=true&labelSelector=app%3Dzk");

  auto expired = client.watch(types::statefulsets, "zookeeper", {}, "old", 30s,
                              [](std::string_view, rapidjson::Value&) { return true; });
  REQUIRE_FALSE(expired);
  CHECK(expired.error().http_status == 410);
  CHECK(expired.error().reason == "Expired");
  CHECK(expired.error().message == "too old resource version: 1 (50)");
}

TEST_CASE("watch: the server ending the stream at timeoutSeconds is a Timeout", "[api]") {
  ScriptedServer server([](const Request&) {
    Reply reply;
    reply.stream = {{0ms, R"({"type":"ADDED","object":{"metadata":{"name":"a"}}})"
                          "\n"},
                    {1000ms, ""}};
    return reply;
  });
  auto client = client_for(server);
  int events = 0;
  auto watched = client.watch(types::pods, "ns", {}, "", 1s, [&](std::string_view, rapidjson::Value&) {
    ++events;
    return true;
  });
  REQUIRE_FALSE(watched);
  CHECK(watched.error().code == dr::ErrorCode::Timeout);
  CHECK(events == 1);
  CHECK(server.seen().at(0).path.find("timeoutSeconds=1&") != std::string::npos);
}

TEST_CASE("watch: an event line longer than 16 MiB is an error, not unbounded memory", "[api]") {
  ScriptedServer server([](const Request&) {
    Reply reply;
    const std::string chunk(1u << 20, 'x');
    reply.stream.push_back({0ms, R"({"type":"ADDED","object":{"metadata":{"name":")"});
    for (int i = 0; i < 20; ++i) reply.stream.push_back({0ms, chunk});
    return reply;
  });
  auto client = client_for(server);
  int events = 0;
  auto watched = client.watch(types::pods, "ns", {}, "", 30s, [&](std::string_view, rapidjson::Value&) {
    ++events;
    return true;
  });
  REQUIRE_FALSE(watched);
  CHECK(watched.error().code == dr::ErrorCode::Decode);
  CHECK(watched.error().message == "watch pods: a watch event is larger than 16 MiB");
  CHECK(events == 0);
}

TEST_CASE("patch_async: many concurrent patches, bounded, each with its own result", "[api]") {
  ScriptedServer server([](const Request& request) {
    if (request.path.find("/ns-13/") != std::string::npos) {
      return Reply::json(
          403,
          R"({"kind":"Status","status":"Failure","message":"forbidden here","reason":"Forbidden","code":403})");
    }
    return Reply::after(5ms, 200, R"({"metadata":{"name":"zk"}})");
  });
  auto client = client_for(server, 5);
  int ok = 0;
  std::vector<std::string> failures;
  for (int i = 0; i < 60; ++i) {
    client.patch_async(types::statefulsets, "ns-" + std::to_string(i), "zk", dr::kube::PatchType::Merge,
                       R"({"spec":{"replicas":0}})", {}, [&](dr::Result<rapidjson::Document> result) {
                         if (result) {
                           CHECK(std::string((*result)["metadata"]["name"].GetString()) == "zk");
                           ++ok;
                         } else {
                           failures.push_back(result.error().kubectl_line());
                         }
                       });
  }
  client.run_pending();
  CHECK(ok == 59);
  CHECK(failures == std::vector<std::string>{"Error from server (Forbidden): forbidden here"});
  CHECK(server.max_concurrent() <= 5);
  CHECK(server.max_concurrent() >= 3);
  CHECK(server.connections() <= 5);
  auto seen = server.seen();
  CHECK(seen.at(0).has_header("Content-Type: application/merge-patch+json"));
}

TEST_CASE("patch_async with decode_answer off: success without parsing, errors still decoded", "[api]") {
  ScriptedServer server([](const Request& request) {
    if (request.path.find("/ns-bad/") != std::string::npos) {
      return Reply::json(
          409,
          R"({"kind":"Status","status":"Failure","message":"the object has been modified","reason":"Conflict","code":409})");
    }
    return Reply::json(200, "not JSON at all: nobody reads it");
  });
  auto client = client_for(server);
  dr::kube::WriteOptions options;
  options.decode_answer = false;
  std::vector<std::string> outcomes;
  for (const char* ns : {"ns-good", "ns-bad"}) {
    client.patch_async(
        types::statefulsets, ns, "zk", dr::kube::PatchType::Merge, R"({"spec":{"replicas":3}})", options,
        [&](dr::Result<rapidjson::Document> result) {
          if (result) {
            outcomes.push_back(std::string("ok ") + (result->IsObject() && result->ObjectEmpty()
                                                         ? "empty object"
                                                         : "something else"));
          } else {
            outcomes.push_back(std::string(result.error().is_conflict() ? "conflict " : "other ") +
                               result.error().kubectl_line());
          }
        });
  }
  client.run_pending();
  std::sort(outcomes.begin(), outcomes.end());
  CHECK(outcomes ==
        std::vector<std::string>{"conflict Error from server (Conflict): the object has been modified",
                                 "ok empty object"});

  // With the default, the same answer is parsed, and a body that is not JSON is an error.
  bool parse_failed = false;
  client.patch_async(types::statefulsets, "ns-good", "zk", dr::kube::PatchType::Merge,
                     R"({"spec":{"replicas":3}})", {},
                     [&](dr::Result<rapidjson::Document> result) { parse_failed = !result; });
  client.run_pending();
  CHECK(parse_failed);
}

TEST_CASE("the generic submit", "[api]") {
  ScriptedServer server([](const Request& request) {
    if (request.method == "DELETE") return Reply::json(204, "");
    return Reply::json(200, R"({"echo":")" + request.method + "\"}");
  });
  auto client = client_for(server);
  std::vector<std::string> results;
  auto record = [&](dr::Result<rapidjson::Document> result) {
    REQUIRE(result);
    results.push_back(result->HasMember("echo") ? (*result)["echo"].GetString() : "empty");
  };
  client.submit("GET", "/api/v1/namespaces/a/pods/p", "", "", true, record);
  client.submit("POST", "/api/v1/namespaces/a/configmaps", R"({"metadata":{"name":"c"}})", "application/json",
                false, record);
  client.submit("PUT", "/api/v1/namespaces/a/configmaps/c", R"({"metadata":{"name":"c"}})",
                "application/json", true, record);
  client.submit("DELETE", "/api/v1/namespaces/a/configmaps/c", "", "", true, record);
  client.run_pending();
  std::sort(results.begin(), results.end());
  CHECK(results == std::vector<std::string>{"GET", "POST", "PUT", "empty"});
}

// ---- Discovery --------------------------------------------------------------------------------

TEST_CASE("discovery: served, unserved, the Stork hint, kinds, one request per group/version", "[api]") {
  ScriptedServer server([](const Request& request) {
    if (request.path == "/apis/apps/v1") {
      return Reply::json(
          200,
          R"({"kind":"APIResourceList","groupVersion":"apps/v1","resources":[{"name":"statefulsets","singularName":"statefulset","namespaced":true,"kind":"StatefulSet","verbs":["get","list"]},{"name":"statefulsets/scale","namespaced":true,"group":"autoscaling","version":"v1","kind":"Scale"}]})");
    }
    if (request.path == "/api/v1") {
      return Reply::json(
          200,
          R"({"kind":"APIResourceList","groupVersion":"v1","resources":[{"name":"namespaces","namespaced":false,"kind":"Namespace"}]})");
    }
    if (request.path == "/apis/batch/v1")
      return Reply::json(403, R"({"kind":"Status","message":"no","reason":"Forbidden","code":403})");
    return Reply::json(404, "404 page not found");
  });
  auto client = client_for(server);
  auto& discovery = client.discovery();
  CHECK(discovery.serves(types::statefulsets).value());
  CHECK_FALSE(discovery.serves(types::deployments).value());  // same group/version, not listed
  CHECK(discovery.serves(types::namespaces).value());
  CHECK_FALSE(discovery.serves(types::migrationschedules).value());  // group not served

  auto missing = discovery.require(types::clusterdomainsstatuses);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == dr::ErrorCode::NotServed);
  CHECK(missing.error().kubectl_line() ==
        "error: the server doesn't have a resource type \"clusterdomainsstatuses\" — is Stork installed on "
        "this "
        "cluster?");
  auto not_stork = discovery.require(types::deployments);
  REQUIRE_FALSE(not_stork);
  CHECK(not_stork.error().message == "the server doesn't have a resource type \"deployments\"");
  CHECK(discovery.require(types::statefulsets));

  auto kind = discovery.find_kind("apps", "v1", "StatefulSet");
  REQUIRE(kind);
  REQUIRE(kind->has_value());
  CHECK((*kind)->plural == "statefulsets");
  CHECK((*kind)->namespaced);
  auto scale = discovery.find_kind("apps", "v1", "Scale");  // only a subresource: not a resource
  REQUIRE(scale);
  CHECK_FALSE(scale->has_value());
  auto no_group = discovery.find_kind("kubevirt.io", "v1", "VirtualMachine");
  REQUIRE(no_group);
  CHECK_FALSE(no_group->has_value());

  auto forbidden = discovery.serves(types::cronjobs);
  REQUIRE_FALSE(forbidden);  // failing to ask is an error, not "not served"
  CHECK(forbidden.error().is_forbidden());

  // One request per group/version, however often asked.
  auto seen = server.seen();
  std::map<std::string, int> per_path;
  for (const auto& request : seen) ++per_path[request.path];
  for (const auto& [path, count] : per_path) {
    INFO(path);
    CHECK(count == 1);
  }
  CHECK(per_path.size() == 5);  // apps/v1, v1, stork, kubevirt, batch
}

TEST_CASE("discovery: explain_not_found tells a missing type from a missing object, asking only on 404",
          "[api]") {
  ScriptedServer server([](const Request& request) {
    if (request.path == "/apis/apps/v1") {
      return Reply::json(
          200,
          R"({"kind":"APIResourceList","groupVersion":"apps/v1","resources":[{"name":"deployments","namespaced":true,"kind":"Deployment"}]})");
    }
    if (request.path.rfind("/apis/apps/v1/namespaces/a/deployments?", 0) == 0)
      return Reply::json(200, R"({"kind":"DeploymentList","metadata":{"resourceVersion":"3"},"items":[]})");
    if (request.path == "/apis/batch/v1")
      return Reply::json(500, R"({"kind":"Status","message":"down","reason":"InternalError","code":500})");
    return Reply::json(
        404, R"({"kind":"Status","status":"Failure","message":"the server could not find the requested )"
             R"(resource","reason":"NotFound","details":{},"code":404})");
  });
  auto client = client_for(server);

  // The happy path: a list that works costs one request, no discovery.
  auto listed_ok = client.list(types::deployments, "a", {},
                               [](rapidjson::Value&, std::string_view) { return dr::Result<void>{}; });
  INFO((listed_ok ? std::string() : listed_ok.error().kubectl_line()));
  REQUIRE(listed_ok);
  CHECK(server.requests() == 1);

  // A 404 for a type the group does not list: require()'s line, with the Stork hint.
  auto listed = client.list(types::migrationschedules, "a", {},
                            [](rapidjson::Value&, std::string_view) { return dr::Result<void>{}; });
  REQUIRE_FALSE(listed);
  auto explained = client.discovery().explain_not_found(types::migrationschedules, std::move(listed).error());
  CHECK(explained.code == dr::ErrorCode::NotServed);
  CHECK(explained.kubectl_line() ==
        "error: the server doesn't have a resource type \"migrationschedules\" — is Stork installed on this "
        "cluster?");

  // A 404 for an object of a served type stays the server's NotFound.
  auto got = client.get(types::deployments, "a", "web");
  REQUIRE_FALSE(got);
  auto object_missing = client.discovery().explain_not_found(types::deployments, std::move(got).error());
  CHECK(object_missing.is_not_found());

  // Anything but a 404 is passed through without asking; a discovery that fails keeps the original.
  const int before = server.requests();
  auto conflict = dr::Error::server(409, "Conflict", "changed");
  CHECK(client.discovery().explain_not_found(types::deployments, conflict).is_conflict());
  CHECK(server.requests() == before);
  auto job_missing = client.discovery().explain_not_found(
      types::cronjobs, dr::Error::server(404, "NotFound", "cronjobs.batch \"j\" not found"));
  CHECK(job_missing.is_not_found());
  CHECK(job_missing.message == "cronjobs.batch \"j\" not found");
}
