// activate/deactivate clusterdomain: validate the domain against ClusterDomainsStatus, create a
// ClusterDomainUpdate as storkctl does, optionally wait for Stork to act on it.
#include <thread>

#include "dr/stork/cluster_domains.hpp"
#include "dr/stork/object.hpp"
#include "subcommands.hpp"

namespace dr::commands {

namespace {

// Polls each update until Stork marks it Successful or Failed (storkctl polls too: an update is
// one object, and a poll survives a restarted API server where a watch would not).
Status wait_for_updates(kube::ApiClient& client, const std::vector<std::string>& names,
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

}  // namespace

int cluster_domain_command(bool activate, const CommandLine& line, Io& io) {
  const auto& flags = line.flags;
  const std::string command = activate ? "kubectl dr activate" : "kubectl dr deactivate";
  std::vector<std::string> domains(flags.positional.begin() + 1, flags.positional.end());
  const bool all = line.get<bool>("all", false);
  if (all && !activate) {
    return report_failure(io, Error::usage("--all is only for activate: name the domain to deactivate"),
                          command);
  }
  if (all && !domains.empty()) {
    return report_failure(io, Error::usage("give cluster domain names or --all, not both"), command);
  }
  if (!all && domains.empty()) {
    return report_failure(
        io, Error::usage("a cluster domain name is required, e.g. " + command + " clusterdomain us-east-1a"),
        command);
  }
  auto timeout = parse_timeout_flag(line.get<std::string>("timeout", "10m"), "--timeout");
  if (!timeout) return report_failure(io, timeout.error(), command);

  auto client = open_client(flags);
  if (!client) return report_failure(io, client.error(), command);
  auto& api = **client;
  InterruptGuard guard(api.transport());

  std::vector<stork::ClusterDomainsStatusRow> statuses;
  auto listed = api.list(kube::types::clusterdomainsstatuses, "", {},
                         [&](rapidjson::Value& items, std::string_view) -> Status {
                           auto rows = stork::cluster_domains_status_rows(items);
                           statuses.insert(statuses.end(), rows.begin(), rows.end());
                           return {};
                         });
  if (!listed) {  // a 404 may mean Stork is not installed: asked only then
    return report_failure(
        io, api.discovery().explain_not_found(kube::types::clusterdomainsstatuses, std::move(listed).error()),
        command);
  }

  const auto wanted = activate ? stork::DomainState::Active : stork::DomainState::Inactive;
  if (all) {
    domains = stork::domains_in_state(statuses, stork::DomainState::Inactive);
    if (domains.empty()) {
      io.out << "All cluster domains are already active\n";
      return 0;
    }
  }
  std::vector<std::string> to_update;
  for (const auto& domain : domains) {
    auto state = stork::find_domain(statuses, domain);
    if (!state)
      return report_failure(io, Error::make(ErrorCode::Usage, stork::domain_not_found_message(domain)), "");
    if (*state == wanted) {
      io.out << stork::domain_already_message(domain, activate) << "\n";
      continue;
    }
    to_update.push_back(domain);
  }
  if (to_update.empty()) return 0;

  const std::string base = line.get<std::string>("name", "");
  auto names =
      stork::cluster_domain_update_names(base.empty() ? stork::random_uuid_v4() : base, to_update.size());
  std::vector<rapidjson::Document> created;
  for (std::size_t i = 0; i < to_update.size(); ++i) {
    rapidjson::Document body;
    body.Parse(stork::cluster_domain_update_body(names[i], to_update[i], activate));
    const bool client_dry_run = flags.dry_run == cli::DryRunMode::Client;
    if (!client_dry_run) {
      kube::WriteOptions options;
      options.dry_run = flags.dry_run == cli::DryRunMode::Server;
      auto result = api.create(kube::types::clusterdomainupdates, "", body, options);
      if (!result) return report_failure(io, result.error(), command);
      body = std::move(result).value();
    }
    if (flags.output == cli::OutputFormat::Table || flags.output == cli::OutputFormat::Wide) {
      std::string suffix = client_dry_run                             ? " (dry run)"
                           : flags.dry_run == cli::DryRunMode::Server ? " (server dry run)"
                                                                      : "";
      io.out << stork::domain_operation_started_message(to_update[i], activate) << suffix << "\n";
    }
    created.push_back(std::move(body));
  }
  if (flags.output != cli::OutputFormat::Table && flags.output != cli::OutputFormat::Wide) {
    print_objects(io, flags.output, std::move(created), false);
  }
  if (line.get<bool>("wait", false) && flags.dry_run == cli::DryRunMode::None) {
    if (auto waited = wait_for_updates(api, names, *timeout, io); !waited) {
      return guard.exit_code_or(report_failure(io, waited.error(), ""));
    }
  }
  return guard.exit_code_or(0);
}

}  // namespace dr::commands
