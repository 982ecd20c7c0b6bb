#include "dr/commands/session.hpp"

#include <unistd.h>

#include <csignal>
#include <iostream>
#include <ostream>

#include "dr/core/duration.hpp"
#include "dr/kube/kubeconfig.hpp"
#include "dr/kube/transport.hpp"

namespace dr::commands {

Io process_io() {
  return Io{std::cin, std::cout, std::cerr, ::isatty(STDERR_FILENO) == 1, {}, ::isatty(STDIN_FILENO) == 1};
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
// Signal handlers can only reach globals; one guard is active at a time.
std::atomic<kube::Transport*> g_guarded_transport{nullptr};
volatile std::sig_atomic_t g_signal_received = 0;

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
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

InterruptGuard::~InterruptGuard() {
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  g_guarded_transport.store(nullptr);
}

int exit_code_after_signals(int code) {
  return g_signal_received != 0 ? 128 + g_signal_received : code;
}

}  // namespace dr::commands
