// How many requests to keep in flight: as many as the server answers without queueing them.
//
// More concurrency than the server can serve buys nothing: the extra requests wait in its queue
// (kube-apiserver's priority-and-fairness queues, or threads contending for its CPUs), every answer
// gets slower, and a busy server starts answering 429. So the limit follows the answers, in the
// spirit of TCP Vegas: the fastest answer seen is the server's time with nothing queued (base). An
// answer within kGrowBelow x base says the window causes no queue: one more may be sent. One slower
// than kShrinkAbove x base waited about as long as it was served: one fewer. In between, the limit
// holds; the gap absorbs the jitter of a server at a distance, whose answers are all slow and vary
// by milliseconds without any queue. A 429 or 503 halves the limit. Slow answers alone never take it
// below `floor`; overload may. Pure, so it is unit-tested on its own.
#pragma once

#include <chrono>
#include <cstddef>

namespace dr::kube {

class InflightLimit {
 public:
  // Starts at `floor` and moves within [1, ceiling]; floor >= ceiling gives a fixed limit.
  InflightLimit(std::size_t floor, std::size_t ceiling);

  std::size_t current() const { return limit_; }

  // A request that got an HTTP answer after `rtt`, sent while `inflight_when_sent` requests (itself
  // included) were in flight. Streams and retried requests say nothing about queueing: leave them out.
  void on_answer(std::chrono::microseconds rtt, std::size_t inflight_when_sent);

  // The server said it is overloaded (429 Too Many Requests, 503 Service Unavailable).
  void on_overload();

  static constexpr double kGrowBelow = 1.5;
  static constexpr double kShrinkAbove = 2.0;

 private:
  std::size_t floor_;
  std::size_t ceiling_;
  std::size_t limit_;
  std::chrono::microseconds base_{0};  // 0 = no answer yet
};

}  // namespace dr::kube
