// What every command does before its own work: turn the kubectl flags into a connected API client,
// and make SIGINT/SIGTERM stop in-flight work cleanly instead of killing the process mid-write.
#pragma once

#include <atomic>
#include <cstddef>
#include <iosfwd>
#include <memory>

#include "dr/error.hpp"
#include "dr/kube/api_client.hpp"
#include "dr/kube/rest_config.hpp"

namespace dr::commands {

// The streams a command talks through (tests pass string streams).
struct Io {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  bool err_is_terminal = false;  // progress output only on a TTY
};

// The process's own streams.
Io process_io();

struct ConnectOptions {
  std::size_t max_inflight = 32;
};

// Loads the kubeconfig selected by the flags (client-go rules), applies --request-timeout, and
// builds the client. Errors name what was being loaded.
Result<std::unique_ptr<kube::ApiClient>> connect(const kube::ConfigOverrides& overrides,
                                                 const ConnectOptions& options = {});

// While alive, SIGINT and SIGTERM cancel the given transport (in-flight requests are abandoned,
// queued ones never start) instead of terminating the process, so the command can print what it
// did and exit 130/143. A second signal terminates immediately with the default action.
class InterruptGuard {
 public:
  explicit InterruptGuard(kube::Transport& transport);
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

  // 0 when no signal arrived, else SIGINT or SIGTERM.
  int signal_received() const;
  // 128 + signal (130 for SIGINT, 143 for SIGTERM), or `otherwise` when no signal arrived.
  int exit_code_or(int otherwise) const;
};

}  // namespace dr::commands
