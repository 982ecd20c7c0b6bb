// The API client: Status decoding, URL and query building, writes, concurrent writes and
// discovery, against the scripted loopback server (lists and watches: api_client_list_test.cpp).
#include <rapidjson/document.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "dr/kube/api_client.hpp"
#include "kube/api_internal.hpp"
#include "support/api_client_fixture.hpp"
#include "support/wire_test_server.hpp"

using namespace std::chrono_literals;
using wiretest::client_for;
using wiretest::config_for;
using wiretest::fast_retries;
using wiretest::json;
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
  // kubectl's own wording for a 401 (kubectl/pkg/cmd/util StandardErrorMessage), not "Error from server".
  CHECK(unauthorized.kubectl_line() == "error: You must be logged in to the server (Unauthorized)");
  auto wrapped = unauthorized;
  CHECK(std::move(wrapped).wrap("listing statefulsets").kubectl_line() ==
        "error: listing statefulsets: You must be logged in to the server (Unauthorized)");

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
  client.submit("GET", types::pods, "a", "p", "", "", true, record);
  client.submit("POST", types::configmaps, "a", "", R"({"metadata":{"name":"c"}})", "application/json", false,
                record);
  client.submit("PUT", types::configmaps, "a", "c", R"({"metadata":{"name":"c"}})", "application/json", true,
                record);
  client.submit("DELETE", types::configmaps, "a", "c", "", "", true, record);
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
