#include "kube/inflight_limit.hpp"

#include <algorithm>

namespace dr::kube {

InflightLimit::InflightLimit(std::size_t floor, std::size_t ceiling)
    : floor_(std::clamp<std::size_t>(floor, 1, std::max<std::size_t>(ceiling, 1))),
      ceiling_(std::max<std::size_t>(ceiling, 1)),
      limit_(floor_) {}

void InflightLimit::on_answer(std::chrono::microseconds rtt, std::size_t inflight_when_sent) {
  if (rtt.count() <= 0) rtt = std::chrono::microseconds(1);
  if (base_.count() == 0 || rtt < base_) base_ = rtt;
  const double slowdown = static_cast<double>(rtt.count()) / static_cast<double>(base_.count());
  if (slowdown <= kGrowBelow) {
    // Only a sample taken near the limit shows that the limit itself causes no queue: with half the
    // window idle (a caller sending one request at a time) the server was never asked for more.
    if (limit_ < ceiling_ && inflight_when_sent * 2 >= limit_) ++limit_;
  } else if (slowdown > kShrinkAbove && limit_ > floor_) {
    --limit_;
  }
}

void InflightLimit::on_overload() {
  limit_ = std::max<std::size_t>(1, limit_ / 2);
}

}  // namespace dr::kube
