// HTTP over libcurl. One Transport per API server: it owns a multi handle and a pool of easy
// handles (connection reuse, HTTP/2 multiplexing when the server offers it), runs many requests
// concurrently up to a bounded in-flight limit, retries what is safe to retry, and authenticates
// every request through an AuthProvider.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dr/core/duration.hpp"
#include "dr/core/error.hpp"
#include "dr/kube/auth.hpp"
#include "dr/kube/rest_config.hpp"
#include "dr/kube/retry_policy.hpp"
#include "dr/kube/tls.hpp"

namespace dr::kube {

struct TransportOptions {
  std::string user_agent;  // "kubectl-dr/<version> (<os>/<arch>)"
  // Concurrent requests at most. Within it the limit adapts (see InflightLimit): it starts at
  // min_inflight, grows while answers come back as fast as the fastest seen, shrinks while they
  // queue at the server, halves on 429/503. Slow answers alone never take it below min_inflight.
  std::size_t max_inflight = 32;
  std::size_t min_inflight = 8;
  RetryPolicy retry;
  std::chrono::milliseconds connect_timeout{10000};
  // A response body longer than this is refused, not read to the end: the biggest honest answer we
  // ask for, a list page of 500 objects, is a few MiB; a hostile or broken server must not make a DR
  // tool run out of memory mid-failover. Streams (watch) are bounded per event line instead.
  std::size_t max_response_bytes = std::size_t{256} << 20;
};

struct HttpRequest {
  std::string method = "GET";
  std::string path_and_query;  // "/apis/apps/v1/namespaces/x/statefulsets?limit=500"
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // True when sending the request twice has the same effect as once (GET, LIST, an absolute
  // merge patch). 429 and failures to connect are retried for every request: the server never
  // processed those. 5xx and connections dropped after sending are retried only when retry_safe.
  // Never retried: other 4xx, TLS and DNS failures, timeouts, and streams that already delivered
  // data. (libcurl itself replays a request once when a *reused* keep-alive connection closes
  // before any byte of the answer; a fresh connection is never replayed.)
  bool retry_safe = false;
  // Streaming (watch): called with each chunk of a 2xx body as it arrives; the body is then not
  // accumulated in HttpResponse (error bodies still are). Return false to stop the transfer: the
  // result is then the (successful) response, not an error.
  std::function<bool(std::string_view chunk)> on_chunk;
  // Overrides RestConfig.request_timeout for this request (watches use their own); negative = unset.
  std::chrono::milliseconds timeout{-1};
};

struct HttpResponse {
  long status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::chrono::milliseconds elapsed{0};
  int attempts = 1;

  // First header with this (lower-case) name, or empty.
  std::string_view header(std::string_view lower_name) const;
};

struct TransportStats {
  std::uint64_t requests = 0;  // HTTP exchanges, retries included
  std::uint64_t retries = 0;
  std::uint64_t connections = 0;  // new connections opened
  std::size_t max_inflight_seen = 0;
  std::size_t inflight_limit = 0;  // the adaptive limit when the stats were taken
};

class Transport {
 public:
  Transport(RestConfig config, std::shared_ptr<AuthProvider> auth, TransportOptions options);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  // Blocking: one request, through the same connection pool and retry logic.
  // An HTTP error status is a successful Result (the caller decodes the Status body); the Error
  // case is for requests that got no HTTP answer (connect, DNS, TLS, timeout, cancelled), with a
  // kubectl-like message. The request goes ahead of queued ones and perform() returns as soon as
  // its own answer is in; other submitted work it drove meanwhile continues at the next run().
  // May be called from inside a completion.
  Result<HttpResponse> perform(HttpRequest request);

  // Concurrent: queue a request; `done` runs on the thread inside run(), and may submit more.
  using Completion = std::function<void(Result<HttpResponse>)>;
  void submit(HttpRequest request, Completion done);
  // Like submit(), but ahead of everything queued: for a read the caller will soon wait on (a
  // list's next page) while its queued writes keep going.
  void submit_first(HttpRequest request, Completion done);
  // Drives queued and in-flight requests until none remain (or cancel() was called; then the
  // remaining completions receive ErrorCode::Cancelled).
  void run();
  // Like run(), but returns once at most `outstanding` requests remain queued, waiting to retry or
  // in flight; those stay in the pool and keep going at the next run() or perform(). Bulk callers
  // use it to bound what they hold while a following read overlaps the tail of their writes.
  void run_until_at_most(std::size_t outstanding);
  // Like run(), but returns as soon as `done()` holds (checked after every wake-up) or nothing is
  // left. For a caller waiting on work of its own elsewhere: it calls wake() when that is ready.
  void run_until(const std::function<bool()>& done);
  // One step without waiting: starts what the in-flight limit allows, reads what has arrived and
  // runs the completions of finished requests. For a caller busy with CPU work, so the requests it
  // queued keep moving meanwhile. Not from inside a completion.
  void pump();
  // Thread-safe: wakes a run() that is waiting, so that run_until() checks its condition.
  void wake();
  // Requests queued, waiting to be retried or in flight.
  std::size_t outstanding() const;

  // For a caller that has learned the server is gone: every request not yet sent (queued, or
  // waiting to be retried) completes at once with `reason`, rather than each after its own retries
  // and time limit. Requests in flight finish on their own; later ones are sent as usual (not
  // sticky, unlike cancel()). May be called from inside a completion.
  void drop_unsent(const Error& reason);

  // Async-signal-safe: asks run()/perform() to stop at the next opportunity (wakes a waiting
  // loop). Sticky: every later request completes with ErrorCode::Cancelled at once.
  void cancel();
  bool cancelled() const;

  TransportStats stats() const;
  const RestConfig& config() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// "kubectl-dr/0.1.0 (linux/amd64)"
std::string default_user_agent();

}  // namespace dr::kube
