// suspend/resume migrationschedule NAME... | --all | -c PAIR | -f FILE|-  [-n NS | -A]
#include <fstream>
#include <iterator>
#include <set>

#include "dr/cli/objects_input.hpp"
#include "dr/stork/migration_schedules.hpp"
#include "dr/stork/object.hpp"
#include "subcommands.hpp"

namespace dr::commands {

namespace {

struct ScheduleRef {
  std::string namespace_name;
  std::string name;
};

bool is_schedule_word(std::string_view word) {
  return word == "migrationschedule" || word == "migrationschedules";
}

// Objects from -f: each must be a MigrationSchedule; its namespace comes from the object, else -n.
Result<std::vector<ScheduleRef>> refs_from_files(const std::vector<std::string>& files,
                                                 const std::string& fallback_ns, Io& io) {
  std::vector<ScheduleRef> refs;
  for (const auto& file : files) {
    std::string text;
    if (file == "-") {
      text.assign(std::istreambuf_iterator<char>(io.in), std::istreambuf_iterator<char>());
    } else {
      auto read = cli::read_file_or_stdin(file);
      if (!read) return std::move(read).error();
      text = std::move(read).value();
    }
    auto objects = cli::read_objects(text, file);
    if (!objects) return std::move(objects).error();
    for (const auto& object : *objects) {
      std::string_view kind = stork::string_member(object, "kind");
      if (kind != "MigrationSchedule") {
        return Error::usage(
            "error parsing " + file + ": expected MigrationSchedule objects, found kind \"" +
            std::string(kind) + "\"" +
            (stork::object_name(object).empty() ? "" : " (" + std::string(stork::object_name(object)) + ")"));
      }
      ScheduleRef ref{std::string(stork::object_namespace(object)), std::string(stork::object_name(object))};
      if (ref.name.empty())
        return Error::usage("error parsing " + file + ": a MigrationSchedule has no metadata.name");
      if (ref.namespace_name.empty()) ref.namespace_name = fallback_ns;
      refs.push_back(std::move(ref));
    }
  }
  return refs;
}

}  // namespace

int schedule_suspend_command(bool suspend, const CommandLine& line, Io& io) {
  const auto& flags = line.flags;
  const std::string command = suspend ? "kubectl dr suspend" : "kubectl dr resume";
  const std::string verb = suspend ? "suspend" : "resume";
  if (flags.positional.empty() || !is_schedule_word(flags.positional.front())) {
    return report_failure(io,
                          Error::usage("expected \"migrationschedule\", e.g. " + command +
                                       " migrationschedule NAME -n NAMESPACE"),
                          command);
  }
  std::vector<std::string> names(flags.positional.begin() + 1, flags.positional.end());
  const bool all = line.get<bool>("all", false);
  const std::string cluster_pair = line.get<std::string>("cluster-pair", "");
  const int ways = (names.empty() ? 0 : 1) + (all ? 1 : 0) + (cluster_pair.empty() ? 0 : 1) +
                   (flags.filenames.empty() ? 0 : 1);
  if (ways == 0) {
    return report_failure(io,
                          Error::usage("name the MigrationSchedules to " + verb +
                                       ", or use --all, --cluster-pair PAIR or -f FILE"),
                          command);
  }
  if (ways > 1) {
    return report_failure(io, Error::usage("use only one of: names, --all, --cluster-pair, -f"), command);
  }
  if (flags.all_namespaces && !names.empty()) {
    return report_failure(
        io, Error::usage("a name cannot be combined with --all-namespaces: give -n NAMESPACE"), command);
  }

  auto client = open_client(flags);
  if (!client) return report_failure(io, client.error(), command);
  auto& api = **client;
  InterruptGuard guard(api.transport());
  // No discovery request up front (it would double the cost of suspending one schedule): a 404
  // below asks then whether MigrationSchedules are served at all (explain_not_found).
  const std::string ns = effective_namespace(flags, api);

  std::vector<ScheduleRef> refs;
  if (!names.empty()) {
    for (auto& name : names) refs.push_back({ns, name});
  } else if (!flags.filenames.empty()) {
    auto from_files = refs_from_files(flags.filenames, ns, io);
    if (!from_files) return report_failure(io, from_files.error(), command);
    refs = std::move(from_files).value();
  } else {
    auto listed =
        api.list(kube::types::migrationschedules, flags.all_namespaces ? "" : ns, {},
                 [&](rapidjson::Value& items, std::string_view) -> Status {
                   for (auto& item : items.GetArray()) {
                     if (!cluster_pair.empty()) {
                       const auto* pair = stork::at_path(item, "spec.template.spec.clusterPair");
                       if (pair == nullptr || !pair->IsString() || cluster_pair != pair->GetString())
                         continue;
                     }
                     refs.push_back(
                         {std::string(stork::object_namespace(item)), std::string(stork::object_name(item))});
                   }
                   return {};
                 });
    if (!listed) {
      return report_failure(
          io, api.discovery().explain_not_found(kube::types::migrationschedules, std::move(listed).error()),
          command);
    }
  }
  if (refs.empty()) {
    io.err << "No resources found.\n";
    return 0;
  }

  // spec.suspend is absolute: a merge patch of that one field is idempotent and cannot clobber
  // anything else on the schedule, so it needs neither a read first nor a precondition.
  const std::string body = stork::suspend_patch_body(suspend, "");
  kube::WriteOptions options;
  options.dry_run = flags.dry_run == cli::DryRunMode::Server;
  const char* suffix = flags.dry_run == cli::DryRunMode::Client   ? " (dry run)"
                       : flags.dry_run == cli::DryRunMode::Server ? " (server dry run)"
                                                                  : "";
  int failures = 0;
  std::vector<rapidjson::Document> patched;
  const bool text = flags.output == cli::OutputFormat::Table || flags.output == cli::OutputFormat::Wide;
  for (const auto& ref : refs) {
    if (api.transport().cancelled()) break;
    if (flags.dry_run == cli::DryRunMode::Client) {
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
      if (error.code == ErrorCode::NotServed) return report_failure(io, error, command);
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
  if (!text) print_objects(io, flags.output, std::move(patched), refs.size() > 1);
  return guard.exit_code_or(failures > 0 ? 1 : 0);
}

}  // namespace dr::commands
