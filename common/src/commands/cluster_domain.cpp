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
Result<void> wait_for_updates(kube::ApiClient& client, const std::vector<std::string>& names,
                              std::chrono::milliseconds timeout, Io& io) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<std::string> pending = names;
  while (!pending.empty()) {
    std::vector<std::string> still;
    for (const auto& name : pending) {
      auto update = client.get(kube::types::clusterdomainupdates, "", name);
      if (!update) return std::move(update).error().wrap("waiting for clusterdomainupdate " + name);
      auto row = stork::cluster_domain_update_row(*update);
      // storkctl's words for both outcomes; a failure is also an error line and exit 1 (storkctl
      // exits 0). Not ErrorCode::Server: no request failed, Stork reported its verdict.
      if (row.status == "Successful") {
        io.out << "Cluster Domain " << row.cluster_domain << " updated successfully\n";
      } else if (row.status == "Failed") {
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
    if (client.transport().cancelled()) return Error::make(ErrorCode::Cancelled, "interrupted while waiting");
    if (timeout.count() > 0 && std::chrono::steady_clock::now() >= deadline) {
      return Error::make(ErrorCode::Timeout, "timed out waiting for ClusterDomainUpdate " + pending.front() +
                                                 " to complete (still pending after " +
                                                 std::to_string(timeout.count() / 1000) + "s)");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  return {};
}

// `activate|deactivate clusterdomain` as typed arguments.
struct ClusterDomainArgs {
  bool activate = true;
  std::vector<std::string> domains;
  bool all = false;
  std::string update_name;  // empty: a random UUID, as storkctl
  bool wait = false;
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

  const auto wanted = activate ? stork::DomainState::Active : stork::DomainState::Inactive;
  if (args.all) {
    domains = stork::domains_in_state(statuses, stork::DomainState::Inactive);
    if (domains.empty()) {
      io.out << "All cluster domains are already active\n";
      return 0;
    }
  }
  std::vector<std::string> to_update;
  for (const auto& domain : domains) {
    auto state = stork::find_domain(statuses, domain);
    if (!state) return Error::make(ErrorCode::NotFound, stork::domain_not_found_message(domain));
    if (*state == wanted) {
      io.out << stork::domain_already_message(domain, activate) << "\n";
      continue;
    }
    to_update.push_back(domain);
  }
  if (to_update.empty()) return 0;

  auto names = stork::cluster_domain_update_names(
      args.update_name.empty() ? stork::random_uuid_v4() : args.update_name, to_update.size());
  std::vector<rapidjson::Document> created;
  const bool client_dry_run = flags.dry_run == cli::DryRun::Client;
  const bool server_dry_run = flags.dry_run == cli::DryRun::Server;
  const bool text = !cli::is_machine_readable(flags.output);
  for (std::size_t i = 0; i < to_update.size(); ++i) {
    rapidjson::Document body;
    body.Parse(stork::cluster_domain_update_body(names[i], to_update[i], activate));
    if (!client_dry_run) {
      kube::WriteOptions options;
      options.dry_run = server_dry_run;
      auto result = api.create(kube::types::clusterdomainupdates, "", body, options);
      if (!result) return std::move(result).error();
      body = std::move(result).value();
    }
    if (text) {
      const char* suffix = client_dry_run ? " (dry run)" : server_dry_run ? " (server dry run)" : "";
      io.out << stork::domain_operation_started_message(to_update[i], activate) << suffix << "\n";
    }
    created.push_back(std::move(body));
  }
  if (!text) {
    if (auto printed = cli::print_objects(io.out, flags.output, created); !printed)
      return std::move(printed).error();
  }
  if (args.wait && flags.dry_run == cli::DryRun::None) {
    if (auto waited = wait_for_updates(api, names, args.timeout, io); !waited)
      return std::move(waited).error();
  }
  return 0;
}

}  // namespace dr::commands
