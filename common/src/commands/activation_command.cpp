// activate migration / deactivate migration / deactivate apps: flags -> selection -> engine -> report.
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <rapidjson/document.h>

#include "dr/cli/printer.hpp"
#include "dr/commands/activation.hpp"
#include "subcommands.hpp"

namespace dr::commands {

namespace {

// `activate migration`, `deactivate migration|apps` as typed arguments.
struct ActivationArgs {
  int max_inflight = 32;
  int chunk_size = 500;
  bool wait = false;
  bool force = false;
  std::chrono::milliseconds timeout{0};
  stork::SelectionFlags selection;  // all but the default namespace, which needs the client
};

Result<ActivationArgs> read_args(const Invocation& invocation) {
  const auto& flags = invocation.common;
  ActivationArgs args;
  if (!invocation.arguments.empty()) {
    return Error::usage("unexpected argument \"" + invocation.arguments.front() +
                        "\": this command takes no names; narrow it with -n, -l, "
                        "--include-objects and friends");
  }
  if (flags.output == cli::OutputFormat::Name)
    return Error::usage("-o name is not supported here; use -o json");
  auto timeout = invocation.duration("timeout");
  if (!timeout) return std::move(timeout).error();
  args.timeout = *timeout;
  args.wait = invocation.flag("wait");
  args.force = invocation.flag("force");
  args.max_inflight = invocation.integer("max-inflight");
  if (args.max_inflight < 1 || args.max_inflight > 1000) {
    return Error::usage("--max-inflight must be between 1 and 1000");
  }
  args.chunk_size = invocation.integer("chunk-size");
  if (args.chunk_size < 0) return Error::usage("--chunk-size must be 0 (no paging) or more");

  auto& selection = args.selection;
  if (!flags.overrides.namespace_name.empty()) selection.namespace_flag = flags.overrides.namespace_name;
  selection.all_namespaces = flags.all_namespaces;
  selection.include_namespaces = invocation.list("include-namespaces");
  selection.exclude_namespaces = invocation.list("exclude-namespaces");
  selection.system_namespaces = invocation.list("system-namespaces");
  if (!flags.selector.empty()) selection.selectors.push_back(flags.selector);
  selection.exclude_selectors = invocation.list("exclude-selector");
  selection.resource_types = invocation.list("resource-types");
  selection.include_objects = invocation.list("include-objects");
  selection.exclude_objects = invocation.list("exclude-objects");
  return args;
}

// --timeout bounds the whole run: when it expires the transport is cancelled, as an interrupt
// would, so requests in flight end and nothing new is sent. Stops with the command.
class Deadline {
 public:
  Deadline(kube::Transport& transport, std::chrono::milliseconds timeout) {
    if (timeout.count() <= 0) return;
    watchdog_ = std::thread([this, &transport, timeout] {
      std::unique_lock lock(mutex_);
      if (!stopped_cv_.wait_for(lock, timeout, [this] { return stopped_; })) {
        expired_ = true;
        transport.cancel();
      }
    });
  }
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;
  ~Deadline() {
    {
      std::lock_guard lock(mutex_);
      stopped_ = true;
    }
    stopped_cv_.notify_all();
    if (watchdog_.joinable()) watchdog_.join();
  }
  bool expired() const { return expired_; }

 private:
  std::mutex mutex_;
  std::condition_variable stopped_cv_;
  bool stopped_ = false;
  std::atomic<bool> expired_{false};
  std::thread watchdog_;
};

}  // namespace

Result<int> activation_command(stork::Mode mode, const Invocation& invocation, Io& io) {
  auto parsed = read_args(invocation);
  if (!parsed) return std::move(parsed).error();
  ActivationArgs& args = *parsed;
  const auto& flags = invocation.common;
  const bool json = flags.output == cli::OutputFormat::Json || flags.output == cli::OutputFormat::Yaml;

  auto client = open_client(io, flags.overrides, static_cast<std::size_t>(args.max_inflight));
  if (!client) return std::move(client).error();
  auto& api = **client;

  args.selection.default_namespace = effective_namespace(flags.overrides, api);
  auto selection = stork::Selection::from_flags(args.selection);
  if (!selection) return std::move(selection).error();

  ActivationOptions options;
  options.mode = mode;
  options.page_size = static_cast<std::size_t>(args.chunk_size);
  options.selection = std::move(selection).value();
  options.dry_run = flags.dry_run;
  options.force = args.force;

  InterruptGuard guard(api.transport());
  const auto run_started = std::chrono::steady_clock::now();
  Deadline deadline(api.transport(), args.timeout);
  // Progress: one line on stderr, rewritten in place, only on a terminal and once the run has
  // taken 2 s. Any other line (stdout's results share the terminal) first clears it, so nothing
  // is glued after "N workloads processed..."; the next update redraws it.
  std::size_t seen = 0;
  bool progress_shown = false;
  auto last_progress = std::chrono::steady_clock::now();
  const auto started = last_progress;
  auto clear_progress = [&] {
    if (!progress_shown) return;
    io.err << "\r\033[K" << std::flush;
    progress_shown = false;
  };
  auto show_progress = [&](const std::string& text) {
    io.err << "\r" << text << "\033[K" << std::flush;
    progress_shown = true;
  };
  auto progress = [&] {
    if (!io.err_is_terminal) return;
    auto now = std::chrono::steady_clock::now();
    if (now - started < std::chrono::seconds(2) || now - last_progress < std::chrono::milliseconds(250))
      return;
    last_progress = now;
    show_progress(std::to_string(seen) + " workloads processed...");
  };
  // A server dry run reads like a real run line by line; each one says it is not.
  const std::string_view server_suffix = options.dry_run == DryRun::Server ? " (server dry run)" : "";
  auto print_line = [&](std::ostream& stream, const std::string& text) {
    clear_progress();
    stream << text;
    if (!server_suffix.empty() && !text.ends_with(server_suffix)) stream << server_suffix;
    stream << "\n";
    if (&stream == &io.out && io.err_is_terminal) stream << std::flush;  // before the next redraw
  };
  ActivationObserver observer;
  observer.on_workload = [&](const WorkloadResult& result) {
    ++seen;
    if (!json && !result.message.empty()) {
      if (result.outcome == Outcome::Failed || result.outcome == Outcome::Skipped) {
        print_line(io.err, result.message);
      } else if (result.outcome != Outcome::Unchanged) {
        print_line(io.out, result.message);
      }
    }
    progress();
  };
  observer.on_schedule = [&](const ScheduleResult& result) {
    if (json) return;
    print_line(result.outcome == Outcome::Failed ? io.err : io.out, result.message);
  };
  observer.on_warning = [&](const std::string& warning) { print_line(io.err, "Warning: " + warning); };
  observer.on_error = [&](const Error& error) { print_line(io.err, error.kubectl_line()); };

  auto report = run_activation(api, options, observer);
  clear_progress();
  // A usage error only found once the server was asked (a --resource-types kind that nothing
  // declares): the observer printed its line; add the hint, not a summary of nothing.
  if (report.workloads.empty() && report.schedules.empty() && report.errors.size() == 1 &&
      report.errors.front().code == ErrorCode::Usage) {
    io.err << cli::usage_hint(invocation.command()) << "\n";
    return 1;
  }

  Result<void> waited;
  if (args.wait && options.dry_run == DryRun::None && !report.interrupted) {
    const auto wait_started = std::chrono::steady_clock::now();
    // What is left of --timeout (the deadline cancels the wait when it runs out).
    const auto wait_timeout =
        args.timeout.count() > 0
            ? std::max(std::chrono::milliseconds(1),
                       args.timeout -
                           std::chrono::duration_cast<std::chrono::milliseconds>(wait_started - run_started))
            : args.timeout;
    waited = wait_for_workloads(api, report, mode, wait_timeout, [&](const std::string& text) {
      if (io.err_is_terminal) show_progress(text);
    });
    // The summary's time is the command's: the writes and the wait for them.
    report.elapsed += std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                            wait_started);
    clear_progress();
    if (waited && !json) io.err << "All workloads are " << wait_goal(mode) << "\n";
  }

  if (json) {
    std::vector<rapidjson::Document> one;
    one.push_back(activation_report_document(mode, report));
    if (auto printed = cli::print_objects(io.out, flags.output, one); !printed)
      return std::move(printed).error();
  }
  const bool dry_run = options.dry_run == DryRun::Client;
  // When nothing was looked at, the error lines already say everything: a summary of zeros under
  // "connection refused" would only bury it.
  if (!(report.workloads.empty() && report.schedules.empty()) || report.interrupted) {
    io.err << activation_summary_line(mode, report, dry_run, options.dry_run == DryRun::Server) << "\n";
  } else if (!json && report.errors.empty()) {
    io.err << "No workloads with a recorded replica count were found"
           << (mode == stork::Mode::DeactivateApps
                   ? ""
                   : " (annotation stork.libopenstorage.org/migrationReplicas)")
           << "\n";
  }
  if (deadline.expired()) {
    return Error::make(ErrorCode::Timeout, "timed out after " + std::to_string(args.timeout.count() / 1000) +
                                               "s (--timeout); re-run the command to finish");
  }
  if (!waited) return std::move(waited).error();
  return report.failed() ? 1 : 0;
}

}  // namespace dr::commands
