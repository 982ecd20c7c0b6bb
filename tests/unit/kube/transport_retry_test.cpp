// The transport's retries: which answers and failures are repeated for which requests, Retry-After,
// give-up, and credentials refreshed after a 401, against the scripted loopback server.
#include <arpa/inet.h>
#include <curl/curl.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rapidjson/document.h>
#include <algorithm>
#include <array>
#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "dr/kube/transport.hpp"
#include "dr/version.hpp"
#include "support/wire_test_server.hpp"

using namespace std::chrono_literals;
using wiretest::config_for;
using wiretest::FakeAuth;
using wiretest::fast_retries;
using wiretest::get;
using wiretest::Reply;
using wiretest::Request;
using wiretest::ScriptedServer;
using Clock = std::chrono::steady_clock;

TEST_CASE("5xx is retried for safe requests only; 429 for every request", "[transport]") {
  std::atomic<int> calls{0};
  ScriptedServer server([&](const Request& request) {
    int n = ++calls;
    if (request.method == "GET" && n <= 2) return Reply::json(503, R"({"kind":"Status","code":503})");
    if (request.method == "POST") return Reply::json(500, R"({"kind":"Status","code":500})");
    if (request.method == "PATCH" && n == 1) return Reply::json(429, "{}").with("Retry-After: 0");
    return Reply{};
  });
  dr::kube::Transport transport(config_for(server.url()), nullptr, fast_retries());

  auto got = transport.perform(get("/a"));
  REQUIRE(got);
  CHECK(got->status == 200);
  CHECK(got->attempts == 3);
  CHECK(transport.stats().retries == 2);

  calls = 0;
  dr::kube::HttpRequest post;
  post.method = "POST";
  post.path_and_query = "/b";
  post.body = "{}";
  auto posted = transport.perform(post);
  REQUIRE(posted);
  CHECK(posted->status == 500);
  CHECK(calls == 1);  // not repeated: it may have been applied

  calls = 0;
  dr::kube::HttpRequest patch;
  patch.method = "PATCH";
  patch.path_and_query = "/c";
  patch.body = R"({"x":1})";
  auto patched = transport.perform(patch);
  REQUIRE(patched);
  CHECK(patched->status == 200);
  CHECK(calls == 2);  // 429: the server did nothing, so even an unsafe request is repeated
}

TEST_CASE("Retry-After is honoured", "[transport]") {
  std::atomic<int> calls{0};
  ScriptedServer server([&](const Request&) {
    return ++calls == 1 ? Reply::json(429, R"({"kind":"Status","code":429})").with("Retry-After: 1")
                        : Reply{};
  });
  dr::kube::Transport transport(config_for(server.url()), nullptr, fast_retries());
  auto started = Clock::now();
  auto got = transport.perform(get("/busy", false));
  REQUIRE(got);
  CHECK(got->status == 200);
  CHECK(Clock::now() - started >= 950ms);
  CHECK(Clock::now() - started < 3s);
}

TEST_CASE("a retry waiting on its timer does not hold up other requests", "[transport]") {
  std::atomic<int> slow_calls{0};
  ScriptedServer server([&](const Request& request) {
    if (request.path == "/slow" && ++slow_calls == 1) return Reply::json(503, "{}").with("Retry-After: 1");
    return Reply{};
  });
  dr::kube::Transport transport(config_for(server.url()), nullptr, fast_retries(2));
  auto started = Clock::now();
  Clock::duration slow_done{};
  Clock::duration last_fast_done{};
  transport.submit(get("/slow"), [&](auto response) {
    REQUIRE(response);
    CHECK(response->status == 200);
    slow_done = Clock::now() - started;
  });
  for (int i = 0; i < 20; ++i) {
    transport.submit(get("/fast"), [&](auto response) {
      REQUIRE(response);
      last_fast_done = Clock::now() - started;
    });
  }
  transport.run();
  CHECK(slow_done >= 950ms);
  CHECK(last_fast_done < 500ms);  // the loop kept serving while the retry waited
}

TEST_CASE("retries give up after max_attempts and return the last answer", "[transport]") {
  ScriptedServer server([](const Request&) { return Reply::json(503, R"({"kind":"Status","code":503})"); });
  auto options = fast_retries();
  options.retry.max_attempts = 3;
  dr::kube::Transport transport(config_for(server.url()), nullptr, options);
  auto got = transport.perform(get("/a"));
  REQUIRE(got);
  CHECK(got->status == 503);
  CHECK(got->attempts == 3);
  CHECK(server.requests() == 3);
  CHECK(transport.stats().requests == 3);
  CHECK(transport.stats().retries == 2);
}

TEST_CASE("a dropped connection is retried for safe requests, reported for unsafe ones", "[transport]") {
  std::atomic<int> calls{0};
  ScriptedServer server([&](const Request&) { return ++calls % 2 == 1 ? Reply::dropped() : Reply{}; });
  dr::kube::Transport transport(config_for(server.url()), nullptr, fast_retries());
  auto got = transport.perform(get("/a"));
  REQUIRE(got);
  CHECK(got->status == 200);
  CHECK(got->attempts == 2);

  // On a fresh connection (libcurl itself replays a request once when a *reused* keep-alive
  // connection closes before any answer byte, taking it for an idle-close race).
  calls = 0;
  dr::kube::Transport fresh(config_for(server.url()), nullptr, fast_retries());
  dr::kube::HttpRequest post;
  post.method = "POST";
  post.path_and_query = "/create";
  post.body = "{}";
  auto posted = fresh.perform(post);
  REQUIRE_FALSE(posted);
  CHECK(posted.error().code == dr::ErrorCode::Transport);
  CHECK_THAT(posted.error().message, Catch::Contains("broke during POST " + server.url() + "/create"));
  CHECK_FALSE(posted.error().unreachable);  // the request was sent: the server may have applied it
  CHECK(calls == 1);
}

TEST_CASE("401 refreshes credentials once and repeats the request", "[transport]") {
  ScriptedServer server([](const Request& request) {
    if (request.has_header("Authorization: Bearer token-2")) return Reply{};
    return Reply::json(
        401,
        R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401})");
  });
  auto auth = std::make_shared<FakeAuth>();
  dr::kube::Transport transport(config_for(server.url()), auth, fast_retries());
  auto got = transport.perform(get("/a", false));
  REQUIRE(got);
  CHECK(got->status == 200);
  CHECK(auth->generation == 2);
  CHECK(auth->invalidations == 1);
  CHECK(server.requests() == 2);

  SECTION("a second 401 is returned, not looped on") {
    auth->generation = 5;  // the server accepts only token-2
    auto again = transport.perform(get("/b"));
    REQUIRE(again);
    CHECK(again->status == 401);
    CHECK(auth->invalidations == 2);
    CHECK(server.requests() == 4);
  }
  SECTION("no fresh credentials: no repeat") {
    auth->generation = 7;
    auth->refreshable = false;
    auto again = transport.perform(get("/b"));
    REQUIRE(again);
    CHECK(again->status == 401);
    CHECK(server.requests() == 3);
  }
}

TEST_CASE("credentials that cannot be obtained fail the request without sending it", "[transport]") {
  struct Broken : dr::kube::AuthProvider {
    dr::Result<dr::kube::Credentials> current() override {
      return dr::Error::make(dr::ErrorCode::Auth, "exec plugin \"aws\" not found");
    }
    bool invalidate() override { return false; }
  };
  ScriptedServer server([](const Request&) { return Reply{}; });
  dr::kube::Transport transport(config_for(server.url()), std::make_shared<Broken>(), fast_retries());
  auto got = transport.perform(get("/a"));
  REQUIRE_FALSE(got);
  CHECK(got.error().code == dr::ErrorCode::Auth);
  CHECK(server.requests() == 0);
}

TEST_CASE("transport: --request-timeout bounds the whole request: a Retry-After past it is not waited for",
          "[transport]") {
  // Issue 25 item 8: with Retry-After answers a 5 s limit became 120 s per write. Counted, not
  // timed: a wait of 30 s cannot fit in a 2 s limit however busy the machine is.
  ScriptedServer server([](const Request&) {
    return Reply::json(429, R"({"kind":"Status","code":429,"reason":"TooManyRequests"})")
        .with("Retry-After: 30");
  });
  auto config = config_for(server.url());
  config.request_timeout = 2s;
  dr::kube::Transport transport(config, nullptr, fast_retries());
  auto got = transport.perform(get("/busy"));
  REQUIRE(got);
  CHECK(got->status == 429);  // the server's own answer, now
  CHECK(got->attempts == 1);
  CHECK(server.requests() == 1);
  CHECK(transport.stats().retries == 0);

  // Short back-offs that fit are still taken.
  std::atomic<int> calls{0};
  ScriptedServer flaky([&](const Request&) { return ++calls == 1 ? Reply::json(503, "{}") : Reply{}; });
  auto flaky_config = config_for(flaky.url());
  flaky_config.request_timeout = 60s;
  dr::kube::Transport patient(flaky_config, nullptr, fast_retries());
  auto second = patient.perform(get("/flaky"));
  REQUIRE(second);
  CHECK(second->status == 200);
  CHECK(second->attempts == 2);
}

TEST_CASE("a body that is not the gzip it claims is that request's error, not a lost connection",
          "[transport]") {
  // Issue 25 item 8: it was "Unable to connect to the server", which stops a whole activation.
  ScriptedServer server([](const Request& request) {
    if (request.path == "/corrupt")
      return Reply::json(200, "this is not gzip").with("Content-Encoding: gzip");
    return Reply{};
  });
  dr::kube::Transport transport(config_for(server.url()), nullptr, fast_retries());
  auto bad = transport.perform(get("/corrupt"));
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == dr::ErrorCode::Decode);
  CHECK_FALSE(bad.error().unreachable);
  CHECK_THAT(bad.error().message, Catch::StartsWith("the server's answer to GET " + server.url() +
                                                    "/corrupt could not be decompressed: "));
  auto next = transport.perform(get("/fine"));
  REQUIRE(next);
  CHECK(next->status == 200);
}
