#include "dr/commands/session.hpp"

#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <iostream>
#include <ostream>
#include <streambuf>

#include "dr/core/duration.hpp"
#include "dr/kube/kubeconfig.hpp"
#include "dr/kube/transport.hpp"

namespace dr::commands {

namespace {
std::atomic<kube::Transport*> g_guarded_transport{nullptr};
volatile std::sig_atomic_t g_signal_received = 0;
std::atomic<bool> g_output_closed{false};

// stdout written with write(2), so that a reader gone away (`| head`) is an EPIPE the command sees
// and stops on (SIGPIPE is caught and does nothing), not a signal that kills it before its summary on stderr.
class StdoutBuffer : public std::streambuf {
 public:
  StdoutBuffer() : line_buffered_(::isatty(STDOUT_FILENO) == 1) { setp(buffer_, buffer_ + sizeof buffer_); }
  StdoutBuffer(const StdoutBuffer&) = delete;
  StdoutBuffer& operator=(const StdoutBuffer&) = delete;
  ~StdoutBuffer() override { flush(); }

 protected:
  int_type overflow(int_type ch) override {
    if (!flush()) return traits_type::eof();
    if (traits_type::eq_int_type(ch, traits_type::eof())) return traits_type::not_eof(ch);
    *pptr() = traits_type::to_char_type(ch);
    pbump(1);
    if (line_buffered_ && ch == '\n' && !flush()) return traits_type::eof();
    return ch;
  }
  int sync() override { return flush() ? 0 : -1; }

 private:
  bool flush() {
    const char* next = pbase();
    const char* const end = pptr();
    setp(buffer_, buffer_ + sizeof buffer_);
    // Once the reader is gone, the rest is dropped: there is no one to read it.
    if (g_output_closed.load()) return true;
    while (next < end) {
      const ssize_t written = ::write(STDOUT_FILENO, next, static_cast<std::size_t>(end - next));
      if (written >= 0) {
        next += written;
      } else if (errno != EINTR) {
        if (errno == EPIPE) {
          stop_because_output_closed();
          return true;
        }
        return false;
      }
    }
    return true;
  }

  char buffer_[8192];
  bool line_buffered_;
};

extern "C" void on_broken_pipe(int /*signal_number*/) {
  // Nothing: the write that raised it sees EPIPE and StdoutBuffer stops the work.
}

// A core file would hold the bearer token, client key and exec-plugin output this process reads;
// none is written, and the process cannot be attached to by its own user (PR_SET_DUMPABLE also
// makes /proc/PID/mem and environ unreadable to them).
void keep_credentials_out_of_core_files() {
  const rlimit none{0, 0};
  (void)::setrlimit(RLIMIT_CORE, &none);
  (void)::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}
}  // namespace

void stop_because_output_closed() {
  if (g_output_closed.exchange(true)) return;
  if (auto* transport = g_guarded_transport.load()) transport->cancel();
}

bool output_closed() {
  return g_output_closed.load();
}

Io process_io() {
  keep_credentials_out_of_core_files();
  // Caught rather than ignored: a write to a closed pipe returns EPIPE either way, but an ignored
  // signal stays ignored in the programs this process starts (exec credential plugins), a caught
  // one goes back to its default there.
  struct sigaction on_pipe {};
  on_pipe.sa_handler = on_broken_pipe;
  sigemptyset(&on_pipe.sa_mask);
  on_pipe.sa_flags = SA_RESTART;
  sigaction(SIGPIPE, &on_pipe, nullptr);
  static StdoutBuffer stdout_buffer;
  static std::ostream stdout_stream(&stdout_buffer);
  Io io{std::cin, stdout_stream, std::cerr, ::isatty(STDERR_FILENO) == 1, {}};
  io.in_is_terminal = ::isatty(STDIN_FILENO) == 1;
  return io;
}

Result<std::unique_ptr<kube::ApiClient>> connect(const kube::ConfigOverrides& overrides,
                                                 const ConnectOptions& options, std::ostream& warnings) {
  auto timeout = parse_request_timeout(overrides.request_timeout.empty() ? "0" : overrides.request_timeout);
  if (!timeout) return std::move(timeout).error();
  auto config = kube::load_rest_config(overrides);
  if (!config) return std::move(config).error();
  config->request_timeout = *timeout;
  // Said once per process, however many clients a command opens: a warning repeated per request
  // would bury the output, and silence would hide that anyone on the path can impersonate the server.
  static std::atomic<bool> warned_insecure{false};
  if (config->tls.insecure_skip_verify && !warned_insecure.exchange(true)) {
    warnings << "Warning: insecure-skip-tls-verify is set: the server's certificate is not verified, so "
                "anyone on the network path can impersonate " +
                    config->server + "\n";
  }
  kube::TransportOptions transport;
  transport.max_inflight = options.max_inflight;
  return std::make_unique<kube::ApiClient>(std::move(config).value(), transport);
}

Result<std::unique_ptr<kube::ApiClient>> open_client(Io& io, const kube::ConfigOverrides& overrides,
                                                     std::size_t max_inflight) {
  ConnectOptions options;
  options.max_inflight = max_inflight;
  return io.client_factory ? io.client_factory(overrides, options, io.err)
                           : connect(overrides, options, io.err);
}

std::string effective_namespace(const kube::ConfigOverrides& overrides, kube::ApiClient& client) {
  if (!overrides.namespace_name.empty()) return overrides.namespace_name;
  return client.config().namespace_name.empty() ? "default" : client.config().namespace_name;
}

namespace {
// Signal handlers can only reach globals (above); one guard is active at a time.
extern "C" void on_interrupt(int signal_number) {
  if (g_signal_received != 0) {
    // Second signal: the user insists. Restore the default action and re-raise.
    std::signal(signal_number, SIG_DFL);
    std::raise(signal_number);
    return;
  }
  g_signal_received = signal_number;
  if (auto* transport = g_guarded_transport.load()) transport->cancel();
}
}  // namespace

InterruptGuard::InterruptGuard(kube::Transport& transport) {
  g_signal_received = 0;
  g_guarded_transport.store(&transport);
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (int signal_number : kStopSignals) sigaction(signal_number, &action, nullptr);
  // The reader went away before this guard: the work is not started, as after a signal.
  if (g_output_closed.load()) transport.cancel();
}

InterruptGuard::~InterruptGuard() {
  for (int signal_number : kStopSignals) std::signal(signal_number, SIG_DFL);
  g_guarded_transport.store(nullptr);
}

int exit_code_after(int code, int signal_number, bool output_closed) {
  // What was printed is incomplete: as a process killed by SIGPIPE reports it (`set -o pipefail`).
  if (output_closed) return 128 + SIGPIPE;
  // A signal that came once the work had succeeded changed nothing; one that cut it short did.
  if (signal_number != 0 && code != 0) return 128 + signal_number;
  return code;
}

int exit_code_after_signals(int code) {
  return exit_code_after(code, g_signal_received, g_output_closed.load());
}

}  // namespace dr::commands
