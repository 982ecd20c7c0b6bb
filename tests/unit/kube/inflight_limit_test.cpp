// The adaptive in-flight limit: pure, fed made-up answer times.
#include <catch2/catch.hpp>

#include "kube/inflight_limit.hpp"

using namespace std::chrono_literals;
using dr::kube::InflightLimit;

namespace {
// A server that serves `per_second` requests and queues the rest: an answer sent with `inflight`
// requests outstanding takes `service` plus the time to serve the ones ahead of it.
std::chrono::microseconds saturated_rtt(std::chrono::microseconds service, std::size_t inflight,
                                        double per_second) {
  auto queue_wait =
      std::chrono::microseconds(static_cast<long long>(1e6 * static_cast<double>(inflight) / per_second));
  return std::max(service, queue_wait);
}
}  // namespace

TEST_CASE("in-flight limit: starts at its floor and grows to the ceiling while answers stay fast",
          "[inflight]") {
  InflightLimit limit(8, 32);
  CHECK(limit.current() == 8);
  // A server at a distance: 5 ms per answer plus a millisecond of jitter, no queue.
  for (int i = 0; i < 100; ++i) limit.on_answer(i % 2 == 0 ? 5000us : 6000us, limit.current());
  CHECK(limit.current() == 32);
  limit.on_answer(5000us, 32);
  CHECK(limit.current() == 32);  // never beyond --max-inflight
}

TEST_CASE("in-flight limit: a saturated server brings it down to the floor, never below", "[inflight]") {
  InflightLimit limit(4, 32);
  limit.on_answer(300us, 1);  // alone: 0.3 ms
  for (int i = 0; i < 40; ++i) limit.on_answer(300us, limit.current());
  REQUIRE(limit.current() == 32);
  // Now every answer waits behind the others: 5,000 answers/s whatever the window.
  for (int i = 0; i < 200; ++i) limit.on_answer(saturated_rtt(300us, limit.current(), 5000), limit.current());
  CHECK(limit.current() == 4);
}

TEST_CASE("in-flight limit: settles where answers take under twice the fastest", "[inflight]") {
  InflightLimit limit(1, 64);
  limit.on_answer(2000us, 1);
  // 2 ms of service, 4,000 answers/s: up to 8 in flight nothing queues, 16 doubles the time.
  for (int i = 0; i < 500; ++i)
    limit.on_answer(saturated_rtt(2000us, limit.current(), 4000), limit.current());
  CHECK(limit.current() >= 8);
  CHECK(limit.current() <= 16);
}

TEST_CASE("in-flight limit: a caller that sends little does not grow it", "[inflight]") {
  InflightLimit limit(8, 32);
  for (int i = 0; i < 100; ++i) limit.on_answer(1000us, 1);  // one request at a time
  CHECK(limit.current() == 8);
  limit.on_answer(1000us, 4);  // half the window in use counts
  CHECK(limit.current() == 9);
}

TEST_CASE("in-flight limit: jitter between the two thresholds holds it", "[inflight]") {
  InflightLimit limit(2, 32);
  limit.on_answer(1000us, 2);
  const auto before = limit.current();
  for (int i = 0; i < 50; ++i) limit.on_answer(1800us, limit.current());  // 1.8x: neither
  CHECK(limit.current() == before);
}

TEST_CASE("in-flight limit: 429 and 503 halve it, below the floor, and it grows back", "[inflight]") {
  InflightLimit limit(8, 32);
  limit.on_overload();
  CHECK(limit.current() == 4);
  limit.on_overload();
  limit.on_overload();
  limit.on_overload();
  CHECK(limit.current() == 1);  // never zero: something must still be sent
  for (int i = 0; i < 10; ++i) limit.on_answer(1000us, limit.current());
  CHECK(limit.current() == 11);
}

TEST_CASE("in-flight limit: a floor at or above the ceiling is a fixed limit", "[inflight]") {
  InflightLimit fixed(8, 4);
  CHECK(fixed.current() == 4);
  for (int i = 0; i < 20; ++i) fixed.on_answer(100us, 4);
  CHECK(fixed.current() == 4);
  for (int i = 0; i < 20; ++i) fixed.on_answer(100000us, 4);
  CHECK(fixed.current() == 4);
  InflightLimit zero(0, 0);
  CHECK(zero.current() == 1);
}
