// suspend/resume migrationschedule NAME... | --all | -c PAIR | -f FILE|-  [-n NS | -A]
#include <fstream>
#include <iterator>
#include <set>

#include "dr/cli/objects_input.hpp"
#include "dr/cli/printer.hpp"
#include "dr/stork/migration_schedules.hpp"
#include "dr/stork/object.hpp"
#include "subcommands.hpp"

namespace dr::commands {

namespace {

struct ScheduleRef {
  std::string namespace_name;
  std::string name;
};

// Objects from -f (files, "-", directories; -R for their subdirectories): each must be a
// MigrationSchedule; its namespace is its own, else -n's, and one that disagrees with an explicit -n
// is refused, as kubectl refuses it.
Result<std::vector<ScheduleRef>> refs_from_files(const std::vector<std::string>& files, bool recursive,
                                                 const std::string& fallback_ns, bool namespace_explicit,
                                                 Io& io) {
  std::vector<ScheduleRef> refs;
  for (const auto& file : files) {
    std::vector<rapidjson::Document> objects;
    if (file == "-") {
      DR_TRY_ASSIGN(auto text, cli::read_bounded(io.in, "standard input"));
      DR_TRY_ASSIGN(objects, cli::read_objects(text, file));
    } else {
      DR_TRY_ASSIGN(objects, cli::read_objects_from({file}, recursive));
    }
    for (const auto& object : objects) {
      std::string_view kind = stork::string_member(object, "kind");
      if (kind != "MigrationSchedule") {
        return Error::usage(
            "error parsing " + file + ": expected MigrationSchedule objects, found kind \"" +
            std::string(kind) + "\"" +
            (stork::object_name(object).empty() ? "" : " (" + std::string(stork::object_name(object)) + ")"));
      }
      ScheduleRef ref{"", std::string(stork::object_name(object))};
      if (ref.name.empty())
        return Error::usage("error parsing " + file + ": a MigrationSchedule has no metadata.name");
      DR_TRY_ASSIGN(ref.namespace_name, cli::namespace_for_object(object, fallback_ns, namespace_explicit));
      refs.push_back(std::move(ref));
    }
  }
  return refs;
}

// `suspend|resume migrationschedule` as typed arguments: exactly one way to name the schedules.
struct ScheduleArgs {
  std::vector<std::string> names;
  bool all = false;
  std::string cluster_pair;
  std::vector<std::string> files;
  bool recursive = false;  // -R: directories given to -f, subdirectories included
};

Result<ScheduleArgs> read_args(bool suspend, const Invocation& invocation) {
  ScheduleArgs args;
  args.names = invocation.arguments;
  args.all = invocation.flag("all");
  args.cluster_pair = invocation.text("cluster-pair");
  args.files = invocation.common.filenames;
  args.recursive = invocation.flag("recursive");
  if (args.recursive && args.files.empty())
    return Error::usage("-R/--recursive reads the directories given with -f");
  const int ways = (args.names.empty() ? 0 : 1) + (args.all ? 1 : 0) + (args.cluster_pair.empty() ? 0 : 1) +
                   (args.files.empty() ? 0 : 1);
  if (ways == 0) {
    return Error::usage("name the MigrationSchedules to " + std::string(suspend ? "suspend" : "resume") +
                        ", or use --all, --cluster-pair PAIR or -f FILE");
  }
  if (ways > 1) return Error::usage("use only one of: names, --all, --cluster-pair, -f");
  if (invocation.common.all_namespaces && !args.names.empty()) {
    return Error::usage("a name cannot be combined with --all-namespaces: give -n NAMESPACE");
  }
  return args;
}

// The schedules the arguments name, in the namespace `ns` unless an object says otherwise.
Result<std::vector<ScheduleRef>> resolve(const ScheduleArgs& args, const cli::CommonFlags& flags,
                                         kube::ApiClient& api, const std::string& ns, Io& io) {
  std::vector<ScheduleRef> refs;
  if (!args.names.empty()) {
    for (const auto& name : args.names) refs.push_back({ns, name});
    return refs;
  }
  if (!args.files.empty()) {
    return refs_from_files(args.files, args.recursive, ns, !flags.overrides.namespace_name.empty(), io);
  }
  auto listed = api.list(
      kube::types::migrationschedules, flags.all_namespaces ? "" : ns, {},
      [&](rapidjson::Value& items, std::string_view) -> Result<void> {
        for (auto& item : items.GetArray()) {
          if (!args.cluster_pair.empty()) {
            const auto* pair = stork::at_path(item, "spec.template.spec.clusterPair");
            if (pair == nullptr || !pair->IsString() || args.cluster_pair != pair->GetString()) continue;
          }
          refs.push_back({std::string(stork::object_namespace(item)), std::string(stork::object_name(item))});
        }
        return {};
      });
  if (!listed)
    return api.discovery().explain_not_found(kube::types::migrationschedules, std::move(listed).error());
  return refs;
}

// Whether the destination's copy of `ref` says its applications are activated (false when absent).
Result<bool> api_get_copy(kube::ApiClient& remote, const ScheduleRef& ref) {
  auto copy = remote.get(kube::types::migrationschedules, ref.namespace_name, ref.name);
  if (!copy) {
    if (copy.error().code == ErrorCode::Server && copy.error().http_status == 404) return false;
    return std::move(copy).error().wrap("reading the destination copy of MigrationSchedule " + ref.name);
  }
  return stork::migration_schedule_row(*copy).application_activated;
}

// Resuming a source schedule while its destination copy is activated makes the next migration
// scale the activated applications down (or, with autoSuspend, Stork suspends it again). With
// --destination-context the copies are read there and an activated one refuses the resume unless
// --force; without it, each source schedule gets a warning, since nothing here can tell.
Result<void> check_destination(const Invocation& invocation, const std::vector<ScheduleRef>& refs,
                               kube::ApiClient& api, Io& io) {
  const std::string destination = invocation.text("destination-context");
  const bool force = invocation.flag("force");
  std::unique_ptr<kube::ApiClient> remote;
  if (!destination.empty()) {
    auto overrides = invocation.common.overrides;
    overrides.context = destination;
    auto opened = open_client(io, overrides);
    if (!opened) return std::move(opened).error().wrap("connecting to --destination-context " + destination);
    remote = std::move(opened).value();
  }
  for (const auto& ref : refs) {
    auto local = api.get(kube::types::migrationschedules, ref.namespace_name, ref.name);
    if (!local) continue;                         // the patch below reports it in kubectl's words
    if (stork::is_static_copy(*local)) continue;  // a destination copy: nothing downstream of it
    const std::string what = "MigrationSchedule " + ref.namespace_name + "/" + ref.name;
    if (!remote) {
      io.err << "Warning: resuming " << what
             << " without checking its destination copy: if the applications were activated there, its "
                "next migration scales them down (pass --destination-context to check)\n";
      continue;
    }
    auto copy = api_get_copy(*remote, ref);
    if (!copy) return std::move(copy).error();
    if (!*copy) continue;
    if (force) {
      io.err << "Warning: resuming " << what << " although its copy on " << destination << " is activated\n";
      continue;
    }
    return Error::usage("refusing to resume " + what + ": its copy on " + destination +
                        " is activated, and the next migration would scale those applications down; "
                        "deactivate them there first, or pass --force");
  }
  return {};
}

}  // namespace

Result<int> schedule_suspend_command(bool suspend, const Invocation& invocation, Io& io) {
  auto parsed = read_args(suspend, invocation);
  if (!parsed) return std::move(parsed).error();
  const auto& flags = invocation.common;

  auto client = open_client(io, flags.overrides);
  if (!client) return std::move(client).error();
  auto& api = **client;
  InterruptGuard guard(api.transport());
  // No discovery request up front (it would double the cost of suspending one schedule): a 404
  // below asks then whether MigrationSchedules are served at all (explain_not_found).
  auto resolved = resolve(*parsed, flags, api, effective_namespace(flags.overrides, api), io);
  if (!resolved) return std::move(resolved).error();
  const std::vector<ScheduleRef>& refs = *resolved;
  if (refs.empty()) {
    io.err << "No resources found.\n";
    // With -o, stdout stays the machine format: an empty List (nothing for -o name).
    if (cli::is_machine_readable(flags.output)) {
      if (auto printed = cli::print_objects(io.out, flags.output, {}, true); !printed)
        return std::move(printed).error();
    }
    return 0;
  }

  if (!suspend && flags.dry_run == cli::DryRun::None) {
    if (auto safe = check_destination(invocation, refs, api, io); !safe) return std::move(safe).error();
  }

  // spec.suspend is absolute: a merge patch of that one field is idempotent and cannot clobber
  // anything else on the schedule, so it needs neither a read first nor a precondition.
  const std::string body = stork::suspend_patch_body(suspend, "");
  kube::WriteOptions options;
  options.dry_run = flags.dry_run == cli::DryRun::Server;
  const char* suffix = flags.dry_run == cli::DryRun::Client   ? " (dry run)"
                       : flags.dry_run == cli::DryRun::Server ? " (server dry run)"
                                                              : "";
  int failures = 0;
  std::vector<rapidjson::Document> patched;
  const bool text = flags.output == cli::OutputFormat::Table || flags.output == cli::OutputFormat::Wide;
  for (const auto& ref : refs) {
    if (api.transport().cancelled()) break;
    if (flags.dry_run == cli::DryRun::Client) {
      if (text) io.out << stork::suspend_message(ref.name, suspend) << suffix << "\n";
      continue;
    }
    // The API server can still answer 409 when other writers keep it busy: the patch carries no
    // precondition, so sending it again is safe (client-go's RetryOnConflict allows 5 tries).
    auto result = api.patch(kube::types::migrationschedules, ref.namespace_name, ref.name,
                            kube::PatchType::Merge, body, options);
    for (int attempt = 1; attempt < 5 && !result && result.error().is_conflict(); ++attempt) {
      result = api.patch(kube::types::migrationschedules, ref.namespace_name, ref.name,
                         kube::PatchType::Merge, body, options);
    }
    if (!result) {
      auto error =
          api.discovery().explain_not_found(kube::types::migrationschedules, std::move(result).error());
      // Not served: every other name would fail the same way; one line says it all.
      if (error.code == ErrorCode::NotServed) return error;
      ++failures;
      io.err << error.kubectl_line() << "\n";
      continue;
    }
    if (text) {
      io.out << stork::suspend_message(ref.name, suspend) << suffix << "\n";
    } else {
      patched.push_back(std::move(result).value());
    }
  }
  if (!text) {
    if (auto printed = cli::print_objects(io.out, flags.output, patched, refs.size() > 1); !printed) {
      return std::move(printed).error();
    }
  }
  return failures > 0 ? 1 : 0;
}

}  // namespace dr::commands
