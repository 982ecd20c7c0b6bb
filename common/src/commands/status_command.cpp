// kubectl dr status [clusterdomains|clusterdomainupdates|migrationschedules|migrations|apps]
#include <algorithm>
#include <map>

#include "dr/cli/format.hpp"
#include "dr/stork/apps_status.hpp"
#include "dr/stork/cluster_domains.hpp"
#include "dr/stork/migration_schedules.hpp"
#include "dr/stork/migrations.hpp"
#include "dr/stork/object.hpp"
#include "subcommands.hpp"

namespace dr::commands {

namespace {

enum class View { ClusterDomains, ClusterDomainUpdates, MigrationSchedules, Migrations, Apps };

std::optional<View> parse_view(std::string_view word) {
  static const std::map<std::string_view, View> words = {
      {"clusterdomains", View::ClusterDomains},
      {"clusterdomain", View::ClusterDomains},
      {"clusterdomainsstatus", View::ClusterDomains},
      {"clusterdomainsstatuses", View::ClusterDomains},
      {"cds", View::ClusterDomains},
      {"clusterdomainupdates", View::ClusterDomainUpdates},
      {"clusterdomainupdate", View::ClusterDomainUpdates},
      {"cdu", View::ClusterDomainUpdates},
      {"migrationschedules", View::MigrationSchedules},
      {"migrationschedule", View::MigrationSchedules},
      {"migrations", View::Migrations},
      {"migration", View::Migrations},
      {"apps", View::Apps},
      {"app", View::Apps},
  };
  auto it = words.find(word);
  if (it == words.end()) return std::nullopt;
  return it->second;
}

// Lists one type into owned documents (status views are small: one page at a time is plenty).
// `list_version`, when given, receives the list's resourceVersion (where a watch must start).
Result<std::vector<rapidjson::Document>> list_all(kube::ApiClient& api, const kube::ResourceType& type,
                                                  std::string_view ns, const std::string& selector = {},
                                                  std::string* list_version = nullptr) {
  std::vector<rapidjson::Document> objects;
  kube::ListOptions options;
  options.label_selector = selector;
  auto listed = api.list(type, ns, options, [&](rapidjson::Value& items, std::string_view rv) -> Status {
    if (list_version != nullptr) *list_version = std::string(rv);
    for (auto& item : items.GetArray()) {
      rapidjson::Document copy;
      copy.CopyFrom(item, copy.GetAllocator());
      // Lists omit kind/apiVersion on items; -o json/yaml/name need them.
      if (!copy.HasMember("kind"))
        copy.AddMember("kind", rapidjson::Value(type.kind.c_str(), copy.GetAllocator()), copy.GetAllocator());
      if (!copy.HasMember("apiVersion")) {
        copy.AddMember("apiVersion", rapidjson::Value(type.api_version().c_str(), copy.GetAllocator()),
                       copy.GetAllocator());
      }
      objects.push_back(std::move(copy));
    }
    return {};
  });
  // No discovery request up front: a 404 here is the moment to ask whether the type is served.
  if (!listed) return api.discovery().explain_not_found(type, std::move(listed).error());
  return objects;
}

rapidjson::Value as_array(std::vector<rapidjson::Document>& objects, rapidjson::Document& holder) {
  rapidjson::Value items(rapidjson::kArrayType);
  for (auto& object : objects) {
    rapidjson::Value copy;
    copy.CopyFrom(object, holder.GetAllocator());
    items.PushBack(copy, holder.GetAllocator());
  }
  return items;
}

std::string go_duration_text(const std::optional<std::chrono::nanoseconds>& d) {
  return d ? cli::format_go_duration(*d) : "";
}

void render_cluster_domains(std::vector<rapidjson::Document>& objects, const cli::CommonFlags& flags, Io& io,
                            bool with_headers) {
  rapidjson::Document holder;
  auto items = as_array(objects, holder);
  cli::Table table({"NAME", "LOCAL-DOMAIN", "ACTIVE", "INACTIVE", "CREATED"});
  for (const auto& row : stork::cluster_domains_status_rows(items)) {
    table.add_row({row.name, row.local_domain, row.active, row.inactive, storkctl_time(row.created)});
  }
  table.render(io.out, flags.no_headers || !with_headers);
}

int cluster_domains_view(kube::ApiClient& api, const cli::CommonFlags& flags, Io& io) {
  const std::string command = "kubectl dr status";
  // -w watches from this very list: a change between the table and the watch is never missed.
  std::string resource_version;
  auto objects = list_all(api, kube::types::clusterdomainsstatuses, "", {}, &resource_version);
  if (!objects) return report_failure(io, objects.error(), command);
  if (flags.output != cli::OutputFormat::Table && flags.output != cli::OutputFormat::Wide) {
    print_objects(io, flags.output, std::move(*objects), true);
  } else if (objects->empty()) {
    print_no_resources(io, "", true);
  } else {
    render_cluster_domains(*objects, flags, io, true);
  }
  if (!flags.watch) return 0;

  // -w: print a row each time a ClusterDomainsStatus changes, until interrupted.
  InterruptGuard guard(api.transport());
  // --request-timeout bounds the whole watch, as it does `kubectl get -w`: it then ends quietly.
  const auto limit = api.config().request_timeout;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!api.transport().cancelled()) {
    std::chrono::milliseconds window = std::chrono::minutes(5);
    if (limit.count() > 0) {
      auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      window = std::min(window, left);
    }
    auto watched =
        api.watch(kube::types::clusterdomainsstatuses, "", {}, resource_version, window,
                  [&](std::string_view, rapidjson::Value& object) {
                    resource_version = std::string(stork::resource_version(object));
                    std::vector<rapidjson::Document> one(1);
                    one.front().CopyFrom(object, one.front().GetAllocator());
                    if (flags.output == cli::OutputFormat::Table || flags.output == cli::OutputFormat::Wide) {
                      render_cluster_domains(one, flags, io, false);
                    } else {
                      print_objects(io, flags.output, std::move(one), false);
                    }
                    io.out.flush();
                    return true;
                  });
    if (!watched && watched.error().code != ErrorCode::Timeout) {
      if (watched.error().code == ErrorCode::Cancelled) break;
      return guard.exit_code_or(report_failure(io, watched.error(), command));
    }
  }
  return guard.exit_code_or(0);
}

int cluster_domain_updates_view(kube::ApiClient& api, const cli::CommonFlags& flags, Io& io) {
  auto objects = list_all(api, kube::types::clusterdomainupdates, "");
  if (!objects) return report_failure(io, objects.error(), "kubectl dr status");
  if (flags.output != cli::OutputFormat::Table && flags.output != cli::OutputFormat::Wide) {
    print_objects(io, flags.output, std::move(*objects), true);
    return 0;
  }
  if (objects->empty()) {
    print_no_resources(io, "", true);
    return 0;
  }
  rapidjson::Document holder;
  auto items = as_array(*objects, holder);
  const bool wide = flags.output == cli::OutputFormat::Wide;
  std::vector<std::string> headers = {"NAME", "CLUSTER-DOMAIN", "ACTION", "STATUS", "CREATED"};
  if (wide) headers.emplace_back("REASON");
  cli::Table table(headers);
  for (const auto& row : stork::cluster_domain_update_rows(items)) {
    std::vector<std::string> cells = {row.name, row.cluster_domain, row.action, row.status,
                                      storkctl_time(row.created)};
    if (wide) cells.push_back(row.reason);
    table.add_row(std::move(cells));
  }
  table.render(io.out, flags.no_headers);
  return 0;
}

int migration_schedules_view(kube::ApiClient& api, const cli::CommonFlags& flags, Io& io) {
  const std::string ns = flags.all_namespaces ? "" : effective_namespace(flags, api);
  auto objects = list_all(api, kube::types::migrationschedules, ns, flags.selector);
  if (!objects) return report_failure(io, objects.error(), "kubectl dr status");
  if (flags.output != cli::OutputFormat::Table && flags.output != cli::OutputFormat::Wide) {
    print_objects(io, flags.output, std::move(*objects), true);
    return 0;
  }
  if (objects->empty()) {
    print_no_resources(io, ns, flags.all_namespaces);
    return 0;
  }
  rapidjson::Document holder;
  auto items = as_array(*objects, holder);
  const bool wide = flags.output == cli::OutputFormat::Wide;
  std::vector<std::string> headers;
  if (flags.all_namespaces) headers.emplace_back("NAMESPACE");
  for (const char* h :
       {"NAME", "POLICYNAME", "CLUSTERPAIR", "SUSPEND", "LAST-SUCCESS-TIME", "LAST-SUCCESS-DURATION"}) {
    headers.emplace_back(h);
  }
  if (wide) {
    headers.emplace_back("AUTO-SUSPEND");
    headers.emplace_back("APPLICATION-ACTIVATED");
  }
  cli::Table table(headers);
  for (const auto& row : stork::migration_schedule_rows(items)) {
    std::vector<std::string> cells;
    if (flags.all_namespaces) cells.push_back(row.namespace_name);
    cells.push_back(row.name);
    cells.push_back(row.policy_name);
    cells.push_back(row.cluster_pair);
    cells.emplace_back(row.suspend ? "true" : "false");
    cells.push_back(row.last_success ? storkctl_time(row.last_success->finished) : "");
    cells.push_back(row.last_success ? cli::format_go_duration(row.last_success->duration) : "");
    if (wide) {
      cells.emplace_back(row.auto_suspend ? "true" : "false");
      cells.emplace_back(row.application_activated ? "true" : "false");
    }
    table.add_row(std::move(cells));
  }
  table.render(io.out, flags.no_headers);
  return 0;
}

int migrations_view(kube::ApiClient& api, const cli::CommonFlags& flags, Io& io) {
  const std::string ns = flags.all_namespaces ? "" : effective_namespace(flags, api);
  auto objects = list_all(api, kube::types::migrations, ns, flags.selector);
  if (!objects) return report_failure(io, objects.error(), "kubectl dr status");
  if (flags.output != cli::OutputFormat::Table && flags.output != cli::OutputFormat::Wide) {
    print_objects(io, flags.output, std::move(*objects), true);
    return 0;
  }
  if (objects->empty()) {
    print_no_resources(io, ns, flags.all_namespaces);
    return 0;
  }
  rapidjson::Document holder;
  auto items = as_array(*objects, holder);
  std::vector<std::string> headers;
  if (flags.all_namespaces) headers.emplace_back("NAMESPACE");
  for (const char* h : {"NAME", "CLUSTERPAIR", "STAGE", "STATUS", "VOLUMES", "RESOURCES", "CREATED",
                        "ELAPSED", "TOTAL BYTES TRANSFERRED"}) {
    headers.emplace_back(h);
  }
  cli::Table table(headers);
  for (const auto& row : stork::migration_rows(items, std::chrono::system_clock::now())) {
    std::vector<std::string> cells;
    if (flags.all_namespaces) cells.push_back(row.namespace_name);
    cells.insert(cells.end(), {row.name, row.cluster_pair, row.stage, row.status, row.volumes, row.resources,
                               storkctl_time(row.created),
                               row.elapsed_text.empty() ? go_duration_text(row.elapsed) : row.elapsed_text,
                               row.total_bytes});
    table.add_row(std::move(cells));
  }
  table.render(io.out, flags.no_headers);
  return 0;
}

// Every workload that carries a recorded replica count (or, for CronJobs and CRs, a Stork mark),
// with what it should run, what it runs, and whether it counts as activated.
int apps_view(kube::ApiClient& api, const cli::CommonFlags& flags, Io& io) {
  const std::string ns = flags.all_namespaces ? "" : effective_namespace(flags, api);
  std::vector<stork::AppStatusRow> rows;
  std::vector<rapidjson::Document> objects;
  for (const auto& target : stork::activation_targets({})) {
    if (target.optional) {
      auto served = api.discovery().serves(target.type);
      if (!served) return report_failure(io, served.error(), "kubectl dr status");
      if (!*served) continue;
    }
    kube::ListOptions options;
    options.label_selector = flags.selector;
    auto listed =
        api.list(target.type, ns, options, [&](rapidjson::Value& items, std::string_view) -> Status {
          for (auto& item : items.GetArray()) {
            // A ReplicaSet a Deployment made carries the Deployment's annotations, the recorded count
            // included; like activation, show the owner only.
            if (target.skip_owned && stork::has_owner_references(item)) continue;
            auto row = stork::app_status_row(target, item);
            if (!row.desired && row.desired_error.empty()) continue;  // nothing recorded: not a migrated app
            rows.push_back(std::move(row));
            if (flags.output == cli::OutputFormat::Json || flags.output == cli::OutputFormat::Yaml ||
                flags.output == cli::OutputFormat::Name) {
              rapidjson::Document copy;
              copy.CopyFrom(item, copy.GetAllocator());
              if (!copy.HasMember("kind"))
                copy.AddMember("kind", rapidjson::Value(target.type.kind.c_str(), copy.GetAllocator()),
                               copy.GetAllocator());
              if (!copy.HasMember("apiVersion")) {
                copy.AddMember("apiVersion",
                               rapidjson::Value(target.type.api_version().c_str(), copy.GetAllocator()),
                               copy.GetAllocator());
              }
              objects.push_back(std::move(copy));
            }
          }
          return {};
        });
    if (!listed)
      return report_failure(io, std::move(listed).error().wrap("listing " + target.type.group_resource()),
                            "");
  }
  if (flags.output != cli::OutputFormat::Table && flags.output != cli::OutputFormat::Wide) {
    print_objects(io, flags.output, std::move(objects), true);
    return 0;
  }
  if (rows.empty()) {
    print_no_resources(io, ns, flags.all_namespaces);
    return 0;
  }
  std::vector<std::string> headers;
  if (flags.all_namespaces) headers.emplace_back("NAMESPACE");
  for (const char* h : {"KIND", "NAME", "DESIRED", "CURRENT", "READY", "ACTIVATED"}) headers.emplace_back(h);
  if (flags.output == cli::OutputFormat::Wide) headers.emplace_back("STATE");
  cli::Table table(headers);
  for (const auto& row : rows) {
    std::vector<std::string> cells;
    if (flags.all_namespaces) cells.push_back(row.namespace_name);
    cells.push_back(row.kind);
    cells.push_back(row.name);
    cells.push_back(row.desired ? std::to_string(*row.desired) : "<invalid>");
    cells.push_back(row.current ? std::to_string(*row.current) : "<none>");
    cells.push_back(row.ready ? std::to_string(*row.ready) : "<none>");
    cells.emplace_back(row.activated ? "yes" : "no");
    if (flags.output == cli::OutputFormat::Wide) cells.push_back(row.state);
    table.add_row(std::move(cells));
  }
  table.render(io.out, flags.no_headers);
  return 0;
}

}  // namespace

int status_command(const CommandLine& line, Io& io) {
  const auto& flags = line.flags;
  const std::string command = "kubectl dr status";
  if (flags.positional.size() > 1) {
    return report_failure(
        io, Error::usage("status takes at most one resource word, got \"" + flags.positional[1] + "\""),
        command);
  }
  View view = View::ClusterDomains;
  if (!flags.positional.empty()) {
    auto parsed = parse_view(flags.positional.front());
    if (!parsed) {
      return report_failure(io,
                            Error::usage("unknown resource \"" + flags.positional.front() +
                                         "\": use clusterdomains, clusterdomainupdates, "
                                         "migrationschedules, migrations or apps"),
                            command);
    }
    view = *parsed;
  }
  if (flags.watch && view != View::ClusterDomains) {
    return report_failure(io, Error::usage("--watch is supported for clusterdomains only"), command);
  }
  auto client = open_client(flags);
  if (!client) return report_failure(io, client.error(), command);
  switch (view) {
    case View::ClusterDomains:
      return cluster_domains_view(**client, flags, io);
    case View::ClusterDomainUpdates:
      return cluster_domain_updates_view(**client, flags, io);
    case View::MigrationSchedules:
      return migration_schedules_view(**client, flags, io);
    case View::Migrations:
      return migrations_view(**client, flags, io);
    case View::Apps:
      return apps_view(**client, flags, io);
  }
  return 1;
}

}  // namespace dr::commands
