// What every command does before its own work: turn the kubectl flags into a connected API client,
// and make SIGINT/SIGTERM/SIGHUP (and a closed stdout) stop in-flight work cleanly instead of
// killing the process mid-write.
#pragma once

#include <atomic>
#include <csignal>
#include <cstddef>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>

#include "dr/core/error.hpp"
#include "dr/kube/api_client.hpp"
#include "dr/kube/rest_config.hpp"

namespace dr::commands {

struct ConnectOptions {
  std::size_t max_inflight = 32;
};

// Builds the API client a command talks to. The process uses connect(); tests hand their own.
using ClientFactory = std::function<Result<std::unique_ptr<kube::ApiClient>>(
    const kube::ConfigOverrides& overrides, const ConnectOptions& options, std::ostream& warnings)>;

// The streams a command talks through and where its client comes from (tests pass string streams
// and a factory pointing at a scripted server).
struct Io {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  bool err_is_terminal = false;  // progress output only on a TTY
  ClientFactory client_factory;  // empty: connect()
  bool in_is_terminal = false;   // someone can answer a confirmation question on `in`
};

// Loads the kubeconfig selected by the flags (client-go rules), applies --request-timeout, and
// builds the client; an insecure connection is warned about once per process on `warnings`.
// Errors name what was being loaded.
Result<std::unique_ptr<kube::ApiClient>> connect(const kube::ConfigOverrides& overrides,
                                                 const ConnectOptions& options, std::ostream& warnings);

// The command's client: io.client_factory's, else connect()'s.
Result<std::unique_ptr<kube::ApiClient>> open_client(Io& io, const kube::ConfigOverrides& overrides,
                                                     std::size_t max_inflight = 32);

// The namespace a namespaced command works in: -n, else the kubeconfig context's, else "default".
std::string effective_namespace(const kube::ConfigOverrides& overrides, kube::ApiClient& client);

// The process's own streams. Also, for the whole process: no core files (they would hold the
// credentials), and SIGPIPE caught (not ignored: started programs get its default back), so that a
// closed stdout is seen as EPIPE, which stops the work as a signal does (stop_because_output_closed)
// and is reported in the exit code.
Io process_io();

// The signals an InterruptGuard turns into a clean stop: kubectl's interrupt and terminate, and the
// hangup of a closed terminal or SSH session.
inline constexpr int kStopSignals[] = {SIGINT, SIGTERM, SIGHUP};

// While alive, SIGINT, SIGTERM and SIGHUP cancel the given transport (in-flight requests are
// abandoned, queued ones never start) instead of terminating the process, so the command can print
// what it did and exit 128 + the signal (exit_code_after_signals). A second signal terminates
// immediately. A closed stdout (EPIPE) cancels it the same way.
class InterruptGuard {
 public:
  explicit InterruptGuard(kube::Transport& transport);
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
};

// Called when a write to stdout found its reader gone: stops the guarded work, as a signal would.
void stop_because_output_closed();
bool output_closed();

// The exit code of what happened: 141 (128 + SIGPIPE) when stdout was closed under the command;
// 128 + the signal when one was caught and the command did not succeed (the signal cut it short);
// else `code` (a signal after the work succeeded changes nothing).
int exit_code_after(int code, int signal_number, bool output_closed);

// exit_code_after with what this process's InterruptGuards and stdout saw.
int exit_code_after_signals(int code);

}  // namespace dr::commands
