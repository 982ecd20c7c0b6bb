// activate/deactivate clusterdomain: validate the domain against ClusterDomainsStatus, create a
// ClusterDomainUpdate as storkctl does, optionally wait for Stork to act on it.
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "dr/cli/printer.hpp"

#include "dr/stork/cluster_domains.hpp"
#include "dr/stork/object.hpp"
#include "subcommands.hpp"

namespace dr::commands {

namespace {

// Polls each update until Stork marks it Successful or Failed (storkctl polls too: an update is
// one object, and a poll survives a restarted API server where a watch would not).
// `notes` is stdout for text output and stderr with -o, where stdout carries only the machine format.
Result<void> wait_for_updates(kube::ApiClient& client, const std::vector<std::string>& names,
                              std::chrono::milliseconds timeout, bool activate, std::ostream& notes, Io& io) {
  // storkctl's progress line; on a terminal only, so a redirected stderr stays one line per event.
  const bool progress = io.err_is_terminal;
  if (progress) io.err << (activate ? "Activating." : "Deactivating.") << std::flush;
  auto end_progress = [&] {
    if (progress) io.err << "\n";
  };
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<std::string> pending = names;
  while (!pending.empty()) {
    std::vector<std::string> still;
    for (const auto& name : pending) {
      auto update = client.get(kube::types::clusterdomainupdates, "", name);
      if (!update) {
        end_progress();
        return std::move(update).error().wrap("waiting for clusterdomainupdate " + name);
      }
      auto row = stork::cluster_domain_update_row(*update);
      // storkctl's words for both outcomes; a failure is also an error line and exit 1 (storkctl
      // exits 0). Not ErrorCode::Server: no request failed, Stork reported its verdict.
      if (row.status == "Successful") {
        end_progress();
        notes << "Cluster Domain " << row.cluster_domain << " updated successfully\n";
      } else if (row.status == "Failed") {
        end_progress();
        return Error::make(ErrorCode::Internal,
                           "Failed to update ClusterDomain " + row.cluster_domain +
                               ", Reason : " + (row.reason.empty() ? "(none given)" : row.reason) +
                               " (ClusterDomainUpdate " + name + ")");
      } else {
        still.push_back(name);
      }
    }
    pending = std::move(still);
    if (pending.empty()) break;
    if (progress) io.err << '.' << std::flush;
    if (client.transport().cancelled()) {
      end_progress();
      return Error::make(ErrorCode::Cancelled, "interrupted while waiting");
    }
    if (timeout.count() > 0 && std::chrono::steady_clock::now() >= deadline) {
      end_progress();
      return Error::make(ErrorCode::Timeout, "timed out waiting for ClusterDomainUpdate " + pending.front() +
                                                 " to complete (still pending after " +
                                                 std::to_string(timeout.count() / 1000) + "s)");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  return {};
}

// Asks on a terminal (both ends a person's); anywhere else the answer is no, so scripts never hang.
bool confirmed(Io& io, const std::string& question) {
  if (!io.in_is_terminal || !io.err_is_terminal) return false;
  io.err << question << std::flush;
  std::string answer;
  if (!std::getline(io.in, answer)) return false;
  return answer == "y" || answer == "Y" || answer == "yes";
}

// `activate|deactivate clusterdomain` as typed arguments.
struct ClusterDomainArgs {
  bool activate = true;
  std::vector<std::string> domains;
  bool all = false;
  std::string update_name;  // empty: a random UUID, as storkctl
  bool wait = false;
  bool force = false;  // past the safety refusals, and an update even when the status shows the state
  std::chrono::milliseconds timeout{0};
};

Result<ClusterDomainArgs> read_args(bool activate, const Invocation& invocation) {
  ClusterDomainArgs args;
  args.activate = activate;
  args.domains = invocation.arguments;
  args.all = activate && invocation.flag("all");
  const std::string command = invocation.command();
  if (args.all && !args.domains.empty()) return Error::usage("give cluster domain names or --all, not both");
  if (!args.all && args.domains.empty()) {
    return Error::usage("a cluster domain name is required, e.g. " + command + " clusterdomain us-east-1a");
  }
  auto timeout = invocation.duration("timeout");
  if (!timeout) return std::move(timeout).error();
  args.timeout = *timeout;
  args.wait = invocation.flag("wait");
  args.force = invocation.flag("force");
  args.update_name = invocation.text("name");
  return args;
}

}  // namespace

Result<int> cluster_domain_command(bool activate, const Invocation& invocation, Io& io) {
  auto parsed = read_args(activate, invocation);
  if (!parsed) return std::move(parsed).error();
  const ClusterDomainArgs& args = *parsed;
  const auto& flags = invocation.common;
  std::vector<std::string> domains = args.domains;

  auto client = open_client(io, flags.overrides);
  if (!client) return std::move(client).error();
  auto& api = **client;
  InterruptGuard guard(api.transport());

  std::vector<stork::ClusterDomainsStatusRow> statuses;
  auto listed = api.list(kube::types::clusterdomainsstatuses, "", {},
                         [&](rapidjson::Value& items, std::string_view) -> Result<void> {
                           auto rows = stork::cluster_domains_status_rows(items);
                           statuses.insert(statuses.end(), rows.begin(), rows.end());
                           return {};
                         });
  if (!listed) {  // a 404 may mean Stork is not installed: asked only then
    return api.discovery().explain_not_found(kube::types::clusterdomainsstatuses, std::move(listed).error());
  }

  const bool text = !cli::is_machine_readable(flags.output);
  std::ostream& notes = text ? io.out : io.err;
  const auto wanted = activate ? stork::DomainState::Active : stork::DomainState::Inactive;
  if (args.all) {
    domains = stork::domains_in_state(statuses, stork::DomainState::Inactive);
    if (domains.empty()) notes << "All cluster domains are already active\n";
  }
  std::vector<std::string> to_update;
  for (const auto& domain : domains) {
    auto state = stork::find_domain(statuses, domain);
    if (!state) return Error::make(ErrorCode::NotFound, stork::domain_not_found_message(domain));
    // The status may be stale (Stork updates it asynchronously): --force sends the update anyway.
    if (*state == wanted && !args.force) {
      notes << stork::domain_already_message(domain, activate) << "\n";
      continue;
    }
    to_update.push_back(domain);
  }
  if (!activate && !args.force && !to_update.empty()) {
    if (auto hazard = stork::deactivation_hazard(statuses, to_update); !hazard.empty()) {
      if (!confirmed(io, "Warning: " + hazard + ". Deactivate anyway? [y/N]: ")) {
        return Error::usage("refusing to deactivate: " + hazard + "; pass --force to do it anyway");
      }
    }
  }

  // A rerun after a --wait timeout must not queue a second update for the same change.
  std::vector<rapidjson::Document> pending_objects;
  if (!to_update.empty()) {
    auto listed_updates = api.list(kube::types::clusterdomainupdates, "", {},
                                   [&](rapidjson::Value& items, std::string_view) -> Result<void> {
                                     if (!items.IsArray()) return {};
                                     pending_objects.reserve(pending_objects.size() + items.Size());
                                     for (const auto& item : items.GetArray()) {
                                       rapidjson::Document copy;
                                       copy.CopyFrom(item, copy.GetAllocator());
                                       pending_objects.push_back(std::move(copy));
                                     }
                                     return {};
                                   });
    if (!listed_updates) return std::move(listed_updates).error().wrap("listing clusterdomainupdates");
  }
  std::vector<stork::ClusterDomainUpdateRow> update_rows;
  update_rows.reserve(pending_objects.size());
  for (const auto& object : pending_objects) update_rows.push_back(stork::cluster_domain_update_row(object));

  std::vector<std::string> to_create;
  std::vector<std::string> wait_names;
  std::vector<rapidjson::Document> printed;
  for (const auto& domain : to_update) {
    auto reused = stork::pending_update_for(update_rows, domain, activate);
    if (!reused) {
      to_create.push_back(domain);
      continue;
    }
    notes << "Cluster Domain " << domain << ": ClusterDomainUpdate " << *reused
          << " is still pending; waiting for it instead of creating another\n";
    wait_names.push_back(*reused);
    for (std::size_t i = 0; i < update_rows.size(); ++i) {
      if (update_rows[i].name == *reused) printed.push_back(std::move(pending_objects[i]));
    }
  }

  auto names = stork::cluster_domain_update_names(
      args.update_name.empty() ? stork::random_uuid_v4() : args.update_name, to_create.size());
  const bool client_dry_run = flags.dry_run == cli::DryRun::Client;
  const bool server_dry_run = flags.dry_run == cli::DryRun::Server;
  for (std::size_t i = 0; i < to_create.size(); ++i) {
    rapidjson::Document body;
    body.Parse(stork::cluster_domain_update_body(names[i], to_create[i], activate));
    if (!client_dry_run) {
      kube::WriteOptions options;
      options.dry_run = server_dry_run;
      auto result = api.create(kube::types::clusterdomainupdates, "", body, options);
      if (!result) return std::move(result).error();
      body = std::move(result).value();
    }
    const char* suffix = client_dry_run ? " (dry run)" : server_dry_run ? " (server dry run)" : "";
    notes << stork::domain_operation_started_message(to_create[i], activate) << suffix << "\n";
    wait_names.push_back(names[i]);
    printed.push_back(std::move(body));
  }
  // With -o, stdout is the machine format in every path: an empty List when nothing was created.
  if (!text) {
    if (auto shown = cli::print_objects(io.out, flags.output, printed, printed.size() != 1); !shown)
      return std::move(shown).error();
  }
  if (args.wait && flags.dry_run == cli::DryRun::None && !wait_names.empty()) {
    if (auto waited = wait_for_updates(api, wait_names, args.timeout, activate, notes, io); !waited)
      return std::move(waited).error();
  }
  return 0;
}

}  // namespace dr::commands
