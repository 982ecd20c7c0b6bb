// The API client's lists (pages, continue tokens, pages asked for ahead) and watches, against the
// scripted loopback server.
#include <rapidjson/document.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
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
  // The statefulsets list is answered only once the prefetched deployments page has been asked for
  // (or after a bound that only a broken prefetch reaches): no assumption about scheduling.
  std::mutex asked_mutex;
  std::condition_variable asked_changed;
  bool deployments_asked = false;
  bool prefetch_came_first = false;
  ScriptedServer server([&](const Request& request) {
    if (request.path.find("/deployments") != std::string::npos) {
      {
        std::lock_guard lock(asked_mutex);
        deployments_asked = true;
      }
      asked_changed.notify_all();
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
    std::unique_lock lock(asked_mutex);
    prefetch_came_first = asked_changed.wait_for(lock, 30s, [&] { return deployments_asked; });
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
  // The prefetched first page went out while the first list was still waiting for its answer.
  CHECK(prefetch_came_first);

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

TEST_CASE("list: a continue token that comes back is an error, not an endless list", "[api]") {
  // Issue 25 item 8: page 1 -> "a", page "a" -> "b", page "b" -> "a" again: a loop.
  ScriptedServer server([](const Request& request) {
    const bool at_a = request.path.find("continue=a") != std::string::npos;
    const std::string next = at_a ? "b" : "a";
    return Reply::json(200, R"({"metadata":{"resourceVersion":"1","continue":")" + next +
                                R"("},"items":[{"metadata":{"name":"x"}}]})");
  });
  auto client = client_for(server);
  int pages = 0;
  auto count = [&](rapidjson::Value&, std::string_view) -> dr::Result<void> {
    ++pages;
    return {};
  };
  auto listed = client.list(types::pods, "ns", {}, count);
  REQUIRE_FALSE(listed);
  CHECK(listed.error().kubectl_line() ==
        "error: list pods: the server handed out the same continue token twice; following it would never end "
        "the "
        "list");
  CHECK(pages == 3);              // the first page (-> a), page a (-> b), page b (-> a again: the end)
  CHECK(server.requests() == 3);  // page a is not asked for a second time
}
