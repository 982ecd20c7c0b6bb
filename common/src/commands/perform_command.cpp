// kubectl dr perform failover|failback -m SCHEDULE -n NS: storkctl's `perform`, which validates and
// creates a Stork Action for the Stork controller to execute. Checks run in storkctl's order with
// its messages; a server error behind a "not found" message is kept after it, not swallowed.
#include <algorithm>
#include <ctime>

#include "dr/cli/printer.hpp"
#include "dr/stork/actions.hpp"
#include "dr/stork/migration_schedules.hpp"
#include "dr/stork/object.hpp"
#include "subcommands.hpp"

namespace dr::commands {

namespace {

// storkctl's message alone for a plain 404; anything else (403, a dropped connection) says why too.
Error lookup_failed(Error cause, const std::string& message) {
  if (cause.code == ErrorCode::Server && cause.http_status == 404) {
    return Error::make(ErrorCode::NotFound, message);
  }
  Error error = std::move(cause);
  error.message = message + ": " + error.message;
  return error;
}

}  // namespace

Result<std::vector<std::string>> namespaces_of_schedule(kube::ApiClient& api,
                                                        const rapidjson::Value& schedule) {
  std::vector<std::string> namespaces = stork::schedule_namespaces(schedule);
  if (!stork::schedule_uses_namespace_selectors(schedule)) return namespaces;
  auto listed = api.list(kube::types::namespaces, "", {}, [&](rapidjson::Value& items, std::string_view) {
    for (const auto& item : items.GetArray()) {
      const std::string name(stork::object_name(item));
      if (name.empty() || std::find(namespaces.begin(), namespaces.end(), name) != namespaces.end()) continue;
      if (stork::schedule_migrates_namespace(schedule, name, stork::labels_of(item)))
        namespaces.push_back(name);
    }
    return Result<void>{};
  });
  if (!listed) {
    Error error = std::move(listed).error();
    error.message =
        "unable to get the namespaces based on the --namespace-selectors in the provided "
        "MigrationSchedule: " +
        error.message;
    return error;
  }
  return namespaces;
}

namespace {

std::tm local_now() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  return local;
}

}  // namespace

Result<int> perform_command(stork::ActionType type, const Invocation& invocation, Io& io) {
  const auto& flags = invocation.common;
  const std::string word(stork::action_type_word(type));
  if (!invocation.arguments.empty()) {
    return Error::usage("perform " + word + " takes no arguments, got \"" + invocation.arguments.front() +
                        "\": name the MigrationSchedule with -m");
  }
  const std::string schedule_name = invocation.text("migration-reference");
  if (schedule_name.empty()) {
    return Error::usage("reference MigrationSchedule name needs to be provided for " + word);
  }
  const bool failover = type == stork::ActionType::Failover;
  const bool skip_source = failover && invocation.flag("skip-source-operations");

  auto client = open_client(io, flags.overrides);
  if (!client) return std::move(client).error();
  auto& api = **client;
  InterruptGuard guard(api.transport());
  const std::string ns = effective_namespace(flags.overrides, api);

  auto schedule = api.get(kube::types::migrationschedules, ns, schedule_name);
  if (!schedule) {
    return lookup_failed(std::move(schedule).error(), "unable to find the reference MigrationSchedule " +
                                                          schedule_name + " in the " + ns + " namespace");
  }
  if (failover && !stork::is_static_copy(*schedule)) {
    return Error::usage(
        "ensure that `kubectl dr perform failover` is run in the cluster you want to failover to "
        "(MigrationSchedule " +
        ns + "/" + schedule_name + " is not the static copy Stork keeps on the destination)");
  }
  if (!skip_source) {
    const auto* pair = stork::at_path(*schedule, "spec.template.spec.clusterPair");
    const std::string pair_name = pair != nullptr && pair->IsString() ? pair->GetString() : "";
    if (auto found = api.get(kube::types::clusterpairs, ns, pair_name); !found) {
      return lookup_failed(std::move(found).error(),
                           "unable to find the ClusterPair " + pair_name + " in the " + ns + " namespace");
    }
  }
  DR_TRY_ASSIGN(auto schedule_namespaces, namespaces_of_schedule(api, *schedule));
  DR_TRY_ASSIGN(auto namespaces,
                stork::action_namespaces(schedule_namespaces, invocation.list("include-namespaces"),
                                         invocation.list("exclude-namespaces")));

  stork::ActionRequest request;
  request.type = type;
  request.namespace_name = ns;
  request.name = stork::action_name(type, schedule_name, local_now());
  request.schedule = schedule_name;
  request.namespaces = std::move(namespaces);
  request.skip_source_operations = skip_source;
  rapidjson::Document action;
  action.Parse(stork::action_body(request).c_str());

  const char* suffix = flags.dry_run == cli::DryRun::Client   ? " (dry run)"
                       : flags.dry_run == cli::DryRun::Server ? " (server dry run)"
                                                              : "";
  if (flags.dry_run != cli::DryRun::Client) {
    kube::WriteOptions options;
    options.dry_run = flags.dry_run == cli::DryRun::Server;
    auto created = api.create(kube::types::actions, ns, action, options);
    if (!created) {
      Error error = std::move(created).error();
      error.message = "failed to start " + word + " for MigrationSchedule " + ns + "/" + schedule_name +
                      " : " + error.message;
      return error;
    }
    action = std::move(created).value();
  }
  if (cli::is_machine_readable(flags.output)) {
    std::vector<rapidjson::Document> objects(1);
    objects.front().Swap(action);
    DR_TRY(cli::print_objects(io.out, flags.output, objects));
    return 0;
  }
  io.out << "Started " << word << " for MigrationSchedule " << ns << "/" << schedule_name << suffix << "\n";
  if (flags.dry_run == cli::DryRun::None) {
    io.out << "To check " << word << " status use the command : `kubectl dr status " << word << " "
           << stork::object_name(action) << " -n " << ns << "`\n";
  }
  return 0;
}

}  // namespace dr::commands
