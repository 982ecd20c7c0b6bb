// activate migration / deactivate migration / deactivate apps: flags -> selection -> engine -> report.
#include <iomanip>
#include <sstream>

#include <rapidjson/document.h>

#include "dr/commands/activation.hpp"
#include "dr/cli/printer.hpp"
#include "subcommands.hpp"

namespace dr::commands {

namespace {

std::string_view mode_name(stork::Mode mode) {
  switch (mode) {
    case stork::Mode::ActivateMigration:
      return "activate-migration";
    case stork::Mode::DeactivateMigration:
      return "deactivate-migration";
    case stork::Mode::DeactivateApps:
      return "deactivate-apps";
  }
  return "";
}

rapidjson::Document report_document(stork::Mode mode, const ActivationReport& report) {
  rapidjson::Document document(rapidjson::kObjectType);
  auto& a = document.GetAllocator();
  auto str = [&](std::string_view text) {
    return rapidjson::Value(text.data(), static_cast<rapidjson::SizeType>(text.size()), a);
  };
  document.AddMember("apiVersion", "dr.kubectl-dr.io/v1alpha1", a);
  document.AddMember("kind", "ActivationReport", a);
  document.AddMember("mode", str(mode_name(mode)), a);
  rapidjson::Value items(rapidjson::kArrayType);
  for (const auto& w : report.workloads) {
    rapidjson::Value item(rapidjson::kObjectType);
    item.AddMember("kind", str(w.kind), a);
    item.AddMember("apiVersion", str(w.api_version), a);
    item.AddMember("namespace", str(w.namespace_name), a);
    item.AddMember("name", str(w.name), a);
    item.AddMember("field", str(w.field), a);
    item.AddMember("from", str(w.from), a);
    item.AddMember("to", str(w.to), a);
    item.AddMember("outcome", str(to_string(w.outcome)), a);
    if (!w.message.empty()) item.AddMember("message", str(w.message), a);
    if (!w.error.empty()) {
      item.AddMember(rapidjson::StringRef(w.outcome == Outcome::Failed ? "error" : "reason"), str(w.error),
                     a);
    }
    items.PushBack(item, a);
  }
  document.AddMember("items", items, a);
  rapidjson::Value schedules(rapidjson::kArrayType);
  for (const auto& s : report.schedules) {
    rapidjson::Value item(rapidjson::kObjectType);
    item.AddMember("namespace", str(s.namespace_name), a);
    item.AddMember("name", str(s.name), a);
    item.AddMember("applicationActivated", s.application_activated, a);
    item.AddMember("outcome", str(to_string(s.outcome)), a);
    if (!s.error.empty()) item.AddMember("error", str(s.error), a);
    schedules.PushBack(item, a);
  }
  document.AddMember("schedules", schedules, a);
  rapidjson::Value warnings(rapidjson::kArrayType);
  for (const auto& w : report.warnings) warnings.PushBack(str(w), a);
  document.AddMember("warnings", warnings, a);
  rapidjson::Value errors(rapidjson::kArrayType);
  for (const auto& e : report.errors) errors.PushBack(str(e.kubectl_line()), a);
  document.AddMember("errors", errors, a);
  rapidjson::Value summary(rapidjson::kObjectType);
  // Workload counts (plus the failures not tied to one object); the schedules have their own.
  summary.AddMember("updated", static_cast<uint64_t>(report.count(Outcome::Updated)), a);
  summary.AddMember("planned", static_cast<uint64_t>(report.count(Outcome::Planned)), a);
  summary.AddMember("unchanged", static_cast<uint64_t>(report.count(Outcome::Unchanged)), a);
  summary.AddMember("skipped", static_cast<uint64_t>(report.count(Outcome::Skipped)), a);
  summary.AddMember("failed", static_cast<uint64_t>(report.count(Outcome::Failed) + report.errors.size()), a);
  rapidjson::Value schedule_counts(rapidjson::kObjectType);
  for (auto outcome : {Outcome::Updated, Outcome::Planned, Outcome::Unchanged, Outcome::Failed}) {
    schedule_counts.AddMember(str(to_string(outcome)),
                              rapidjson::Value(static_cast<uint64_t>(report.schedule_count(outcome))), a);
  }
  summary.AddMember("schedules", schedule_counts, a);
  summary.AddMember("namespaces", static_cast<uint64_t>(report.namespaces.size()), a);
  summary.AddMember("requests", static_cast<uint64_t>(report.requests_sent), a);
  summary.AddMember("elapsedMilliseconds", static_cast<int64_t>(report.elapsed.count()), a);
  summary.AddMember("interrupted", report.interrupted, a);
  document.AddMember("summary", summary, a);
  return document;
}

}  // namespace

rapidjson::Document activation_report_document(stork::Mode mode, const ActivationReport& report) {
  return report_document(mode, report);
}

std::string activation_summary_line(stork::Mode mode, const ActivationReport& report, bool dry_run) {
  std::ostringstream line;
  const bool activating = mode == stork::Mode::ActivateMigration;
  std::size_t changed = report.count(Outcome::Updated) + report.count(Outcome::Planned);
  if (report.interrupted) line << "Interrupted: ";
  line << (dry_run ? "Would have " : "")
       << (dry_run ? (activating ? "activated" : "deactivated") : (activating ? "Activated" : "Deactivated"))
       << " " << changed << (changed == 1 ? " workload" : " workloads") << " in " << report.namespaces.size()
       << (report.namespaces.size() == 1 ? " namespace" : " namespaces") << " ("
       << report.count(Outcome::Unchanged) << " unchanged, " << report.count(Outcome::Skipped) << " skipped, "
       << report.count(Outcome::Failed) + report.errors.size() << " failed)";
  // MigrationSchedules are not workloads: their status update is a clause of its own, only when
  // one was (or would be) written or failed.
  const std::size_t marked =
      report.schedule_count(Outcome::Updated) + report.schedule_count(Outcome::Planned);
  const std::size_t schedules_failed = report.schedule_count(Outcome::Failed);
  if (marked + schedules_failed > 0) {
    line << " and marked " << marked << (marked == 1 ? " MigrationSchedule" : " MigrationSchedules")
         << " applicationActivated=" << (activating ? "true" : "false");
    if (schedules_failed > 0) line << " (" << schedules_failed << " failed)";
  }
  line << " in " << std::fixed << std::setprecision(1) << static_cast<double>(report.elapsed.count()) / 1000.0
       << "s, " << report.requests_sent << " requests";
  if (report.interrupted) line << "; re-run the command to finish";
  return line.str();
}

namespace {

// `activate migration`, `deactivate migration|apps` as typed arguments.
struct ActivationArgs {
  int max_inflight = 32;
  int chunk_size = 500;
  bool wait = false;
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
  if (flags.output == cli::OutputFormat::Name) return Error::usage("-o name is not supported here; use -o json");
  auto timeout = invocation.duration("timeout");
  if (!timeout) return std::move(timeout).error();
  args.timeout = *timeout;
  args.wait = invocation.flag("wait");
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
  if (!flags.selector.empty()) selection.selectors.push_back(flags.selector);
  selection.exclude_selectors = invocation.list("exclude-selector");
  selection.resource_types = invocation.list("resource-types");
  selection.include_objects = invocation.list("include-objects");
  selection.exclude_objects = invocation.list("exclude-objects");
  return args;
}

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

  InterruptGuard guard(api.transport());
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
  auto print_line = [&](std::ostream& stream, const std::string& text) {
    clear_progress();
    stream << text << "\n";
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

  Status waited;
  if (args.wait && options.dry_run == DryRun::None && !report.interrupted) {
    waited = wait_for_workloads(api, report, mode, args.timeout, [&](const std::string& text) {
      if (io.err_is_terminal) show_progress(text);
    });
    clear_progress();
    if (waited && !json) io.err << "All workloads are " << wait_goal(mode) << "\n";
  }

  if (json) {
    std::vector<rapidjson::Document> one;
    one.push_back(report_document(mode, report));
    if (auto printed = cli::print_objects(io.out, flags.output, one); !printed) return std::move(printed).error();
  }
  const bool dry_run = options.dry_run == DryRun::Client;
  // When nothing was looked at, the error lines already say everything: a summary of zeros under
  // "connection refused" would only bury it.
  if (!(report.workloads.empty() && report.schedules.empty()) || report.interrupted) {
    io.err << activation_summary_line(mode, report, dry_run) << "\n";
  } else if (!json && report.errors.empty()) {
    io.err << "No workloads with a recorded replica count were found"
           << (mode == stork::Mode::DeactivateApps
                   ? ""
                   : " (annotation stork.libopenstorage.org/migrationReplicas)")
           << "\n";
  }
  if (!waited) return std::move(waited).error();
  return report.failed() ? 1 : 0;
}

}  // namespace dr::commands
