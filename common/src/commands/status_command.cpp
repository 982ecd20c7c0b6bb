// kubectl dr status [clusterdomains|clusterdomainupdates|migrationschedules|migrations|clusterpairs|apps|
//                    failover|failback] [NAME...]
#include <algorithm>
#include <functional>

#include "dr/cli/format.hpp"
#include "dr/cli/printer.hpp"
#include "dr/stork/actions.hpp"
#include "dr/stork/apps_status.hpp"
#include "dr/stork/cluster_domains.hpp"
#include "dr/stork/failover.hpp"
#include "dr/stork/migration_schedules.hpp"
#include "dr/stork/migrations.hpp"
#include "dr/stork/object.hpp"
#include "subcommands.hpp"

namespace dr::commands {

namespace {

// Adds the kind and apiVersion a list leaves off its items: -o json/yaml/name need them.
void add_type_meta(rapidjson::Document& object, const kube::ResourceType& type) {
  auto& a = object.GetAllocator();
  if (!object.HasMember("kind")) object.AddMember("kind", rapidjson::Value(type.kind.c_str(), a), a);
  if (!object.HasMember("apiVersion")) {
    object.AddMember("apiVersion", rapidjson::Value(type.api_version().c_str(), a), a);
  }
}

// Lists one type into owned documents (status views are small: one page at a time is plenty).
// `list_version`, when given, receives the list's resourceVersion (where a watch must start).
Result<std::vector<rapidjson::Document>> list_all(kube::ApiClient& api, const kube::ResourceType& type,
                                                  std::string_view ns, const std::string& selector = {},
                                                  std::string* list_version = nullptr) {
  std::vector<rapidjson::Document> objects;
  kube::ListOptions options;
  options.label_selector = selector;
  auto listed =
      api.list(type, ns, options, [&](rapidjson::Value& items, std::string_view rv) -> Result<void> {
        if (list_version != nullptr) *list_version = std::string(rv);
        for (auto& item : items.GetArray()) {
          if (!item.IsObject()) {
            return Error::make(ErrorCode::Decode,
                               "the server's " + type.kind + " list holds an item that is not an object");
          }
          rapidjson::Document copy;
          copy.CopyFrom(item, copy.GetAllocator());
          add_type_meta(copy, type);
          objects.push_back(std::move(copy));
        }
        return {};
      });
  // No discovery request up front: a 404 here is the moment to ask whether the type is served.
  if (!listed) return api.discovery().explain_not_found(type, std::move(listed).error());
  return objects;
}

// What a view shows: every object of the type, or only the ones named (as `kubectl get TYPE NAME...`
// and storkctl's `get ... NAME`). A missing name is kubectl's NotFound line on stderr and counts
// in `missing` (exit 1), the others are still shown.
struct Wanted {
  std::vector<std::string> names;
  int missing = 0;
  std::string cluster_pair;  // -c: only schedules and migrations using this ClusterPair
};

// Drops the objects whose ClusterPair is not `wanted.cluster_pair` (storkctl's -c on get).
template <class ClusterPairOf>
void keep_cluster_pair(std::vector<rapidjson::Document>& objects, const Wanted& wanted,
                       ClusterPairOf pair_of) {
  if (wanted.cluster_pair.empty()) return;
  std::erase_if(objects,
                [&](const rapidjson::Document& object) { return pair_of(object) != wanted.cluster_pair; });
}

Result<std::vector<rapidjson::Document>> fetch_objects(kube::ApiClient& api, const kube::ResourceType& type,
                                                       std::string_view ns, const std::string& selector,
                                                       Wanted& wanted, Io& io,
                                                       std::string* list_version = nullptr) {
  if (wanted.names.empty()) return list_all(api, type, ns, selector, list_version);
  std::vector<rapidjson::Document> objects;
  for (const auto& name : wanted.names) {
    auto object = api.get(type, ns, name);
    if (!object) {
      if (object.error().code == ErrorCode::Server && object.error().http_status == 404) {
        io.err << object.error().kubectl_line() << "\n";
        ++wanted.missing;
        continue;
      }
      return std::move(object).error();
    }
    if (!object->IsObject()) {
      return Error::make(ErrorCode::Decode, "the server's " + type.kind + " " + name + " is not an object");
    }
    add_type_meta(*object, type);
    objects.push_back(std::move(object).value());
  }
  return objects;
}

std::string storkctl_time(const std::optional<stork::TimePoint>& time) {
  return time ? cli::format_rfc822(*time) : "";
}

// kubectl's "No resources found in NS namespace." / "No resources found" (stderr).
void print_no_resources(Io& io, std::string_view ns) {
  if (ns.empty()) {
    io.err << "No resources found\n";
  } else {
    io.err << "No resources found in " << ns << " namespace.\n";
  }
}

// A view's table: the headers and one row of cells per object, each with the object's namespace
// (shown as a first NAMESPACE column across namespaces).
struct ViewTable {
  std::vector<std::string> headers;
  std::vector<std::pair<std::string, std::vector<std::string>>> rows;  // namespace, cells
};

// The skeleton every view shares: -o json|yaml|name print the objects, an empty table
// says so as kubectl does, otherwise the table. `ns` is the namespace listed ("" = all or none).
Result<void> print_view(Io& io, const cli::CommonFlags& flags,
                        const std::vector<rapidjson::Document>& objects, std::string_view ns, bool namespaced,
                        std::size_t names_given, const std::function<ViewTable()>& make_table) {
  // As kubectl get: one name asked for is the object itself, anything else a List.
  if (cli::is_machine_readable(flags.output))
    return cli::print_objects(io.out, flags.output, objects, names_given != 1 || objects.size() != 1);
  ViewTable table = make_table();
  if (table.rows.empty()) {
    if (names_given > 0) return {};  // each missing name already said NotFound
    print_no_resources(io, flags.all_namespaces ? "" : ns);
    return {};
  }
  const bool namespace_column = namespaced && flags.all_namespaces;
  if (namespace_column) table.headers.insert(table.headers.begin(), "NAMESPACE");
  cli::Table rendered(table.headers);
  for (auto& [namespace_name, cells] : table.rows) {
    if (namespace_column) cells.insert(cells.begin(), namespace_name);
    rendered.add_row(std::move(cells));
  }
  rendered.render(io.out, flags.no_headers);
  return {};
}

std::vector<std::string> cluster_domains_row(const rapidjson::Value& object) {
  const auto row = stork::cluster_domains_status_row(object);
  return {row.name, row.local_domain, row.active, row.inactive, storkctl_time(row.created)};
}

const std::vector<std::string> kClusterDomainsHeaders = {"NAME", "LOCAL-DOMAIN", "ACTIVE", "INACTIVE",
                                                         "CREATED"};

// -w: print a row each time a ClusterDomainsStatus changes, from `resource_version` on, until
// interrupted or --request-timeout (which bounds the whole watch, as it does `kubectl get -w`).
Result<void> watch_cluster_domains(kube::ApiClient& api, const cli::CommonFlags& flags, Io& io,
                                   std::string resource_version) {
  InterruptGuard guard(api.transport());
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
    auto watched = api.watch(kube::types::clusterdomainsstatuses, "", {}, resource_version, window,
                             [&](std::string_view, rapidjson::Value& object) {
                               resource_version = std::string(stork::resource_version(object));
                               if (cli::is_machine_readable(flags.output)) {
                                 std::vector<rapidjson::Document> one(1);
                                 one.front().CopyFrom(object, one.front().GetAllocator());
                                 (void)cli::print_objects(io.out, flags.output, one);
                               } else {
                                 cli::Table table(kClusterDomainsHeaders);
                                 table.add_row(cluster_domains_row(object));
                                 table.render(io.out, true);
                               }
                               io.out.flush();
                               return true;
                             });
    if (!watched && watched.error().code != ErrorCode::Timeout) {
      if (watched.error().code == ErrorCode::Cancelled) break;
      return std::move(watched).error();
    }
  }
  return {};
}

Result<void> cluster_domains_view(kube::ApiClient& api, const cli::CommonFlags& flags, Wanted& wanted,
                                  Io& io) {
  // -w watches from this very list: a change between the table and the watch is never missed.
  std::string resource_version;
  auto objects =
      fetch_objects(api, kube::types::clusterdomainsstatuses, "", {}, wanted, io, &resource_version);
  if (!objects) return std::move(objects).error();
  auto printed = print_view(io, flags, *objects, "", false, wanted.names.size(), [&] {
    ViewTable table{kClusterDomainsHeaders, {}};
    for (const auto& object : *objects) table.rows.emplace_back("", cluster_domains_row(object));
    return table;
  });
  if (!printed || !flags.watch) return printed;
  return watch_cluster_domains(api, flags, io, std::move(resource_version));
}

Result<void> cluster_domain_updates_view(kube::ApiClient& api, const cli::CommonFlags& flags, Wanted& wanted,
                                         Io& io) {
  auto objects = fetch_objects(api, kube::types::clusterdomainupdates, "", {}, wanted, io);
  if (!objects) return std::move(objects).error();
  const bool wide = flags.output == cli::OutputFormat::Wide;
  return print_view(io, flags, *objects, "", false, wanted.names.size(), [&] {
    ViewTable table{{"NAME", "CLUSTER-DOMAIN", "ACTION", "STATUS", "CREATED"}, {}};
    if (wide) table.headers.emplace_back("REASON");
    for (const auto& object : *objects) {
      const auto row = stork::cluster_domain_update_row(object);
      std::vector<std::string> cells = {row.name, row.cluster_domain, row.action, row.status,
                                        storkctl_time(row.created)};
      if (wide) cells.push_back(row.reason);
      table.rows.emplace_back("", std::move(cells));
    }
    return table;
  });
}

Result<void> migration_schedules_view(kube::ApiClient& api, const cli::CommonFlags& flags, Wanted& wanted,
                                      Io& io) {
  const std::string ns = flags.all_namespaces ? "" : effective_namespace(flags.overrides, api);
  auto objects = fetch_objects(api, kube::types::migrationschedules, ns, flags.selector, wanted, io);
  if (!objects) return std::move(objects).error();
  keep_cluster_pair(*objects, wanted, [](const rapidjson::Value& object) {
    return stork::migration_schedule_row(object).cluster_pair;
  });
  const bool wide = flags.output == cli::OutputFormat::Wide;
  return print_view(io, flags, *objects, ns, true, wanted.names.size(), [&] {
    ViewTable table{
        {"NAME", "POLICYNAME", "CLUSTERPAIR", "SUSPEND", "LAST-SUCCESS-TIME", "LAST-SUCCESS-DURATION"}, {}};
    if (wide) table.headers.insert(table.headers.end(), {"AUTO-SUSPEND", "APPLICATION-ACTIVATED"});
    for (const auto& object : *objects) {
      const auto row = stork::migration_schedule_row(object);
      std::vector<std::string> cells = {
          row.name,
          row.policy_name,
          row.cluster_pair,
          row.suspend ? "true" : "false",
          row.last_success ? storkctl_time(row.last_success->finished) : "",
          row.last_success ? cli::format_go_duration(row.last_success->duration) : ""};
      if (wide) {
        cells.emplace_back(row.auto_suspend ? "true" : "false");
        cells.emplace_back(row.application_activated ? "true" : "false");
      }
      table.rows.emplace_back(row.namespace_name, std::move(cells));
    }
    return table;
  });
}

Result<void> migrations_view(kube::ApiClient& api, const cli::CommonFlags& flags, Wanted& wanted, Io& io) {
  const std::string ns = flags.all_namespaces ? "" : effective_namespace(flags.overrides, api);
  auto objects = fetch_objects(api, kube::types::migrations, ns, flags.selector, wanted, io);
  if (!objects) return std::move(objects).error();
  keep_cluster_pair(*objects, wanted, [](const rapidjson::Value& object) {
    return stork::migration_row(object, std::chrono::system_clock::now()).cluster_pair;
  });
  return print_view(io, flags, *objects, ns, true, wanted.names.size(), [&] {
    ViewTable table{{"NAME", "CLUSTERPAIR", "STAGE", "STATUS", "VOLUMES", "RESOURCES", "CREATED", "ELAPSED",
                     "TOTAL BYTES TRANSFERRED"},
                    {}};
    const auto now = std::chrono::system_clock::now();
    for (const auto& object : *objects) {
      const auto row = stork::migration_row(object, now);
      const std::string elapsed = !row.elapsed_text.empty() ? row.elapsed_text
                                  : row.elapsed             ? cli::format_go_duration(*row.elapsed)
                                                            : "";
      table.rows.push_back({row.namespace_name,
                            {row.name, row.cluster_pair, row.stage, row.status, row.volumes, row.resources,
                             storkctl_time(row.created), elapsed, row.total_bytes}});
    }
    return table;
  });
}

// storkctl's `get clusterpair`: the pairing's storage and scheduler status.
Result<void> cluster_pairs_view(kube::ApiClient& api, const cli::CommonFlags& flags, Wanted& wanted, Io& io) {
  const std::string ns = flags.all_namespaces ? "" : effective_namespace(flags.overrides, api);
  auto objects = fetch_objects(api, kube::types::clusterpairs, ns, flags.selector, wanted, io);
  if (!objects) return std::move(objects).error();
  return print_view(io, flags, *objects, ns, true, wanted.names.size(), [&] {
    ViewTable table{{"NAME", "STORAGE-STATUS", "SCHEDULER-STATUS", "CREATED"}, {}};
    for (const auto& object : *objects) {
      const auto* status = stork::member(object, "status");
      auto status_text = [&](const char* key) {
        return status == nullptr ? std::string() : std::string(stork::string_member(*status, key));
      };
      table.rows.push_back({std::string(stork::object_namespace(object)),
                            {std::string(stork::object_name(object)), status_text("storageStatus"),
                             status_text("schedulerStatus"),
                             storkctl_time(stork::parse_kube_time(stork::creation_timestamp(object)))}});
    }
    return table;
  });
}

// Every workload that carries a recorded replica count (or, for CronJobs and CRs, a Stork mark),
// with what it should run, what it runs, and whether it counts as activated.
Result<void> apps_view(kube::ApiClient& api, const cli::CommonFlags& flags, Io& io) {
  const std::string ns = flags.all_namespaces ? "" : effective_namespace(flags.overrides, api);
  std::vector<stork::AppStatusRow> rows;
  std::vector<rapidjson::Document> objects;
  for (const auto& target : stork::activation_targets({})) {
    if (target.optional) {
      auto served = api.discovery().serves(target.type);
      if (!served) return std::move(served).error();
      if (!*served) continue;
    }
    kube::ListOptions options;
    options.label_selector = flags.selector;
    auto listed =
        api.list(target.type, ns, options, [&](rapidjson::Value& items, std::string_view) -> Result<void> {
          for (auto& item : items.GetArray()) {
            if (!item.IsObject()) {
              return Error::make(ErrorCode::Decode, "the server's " + target.type.kind +
                                                        " list holds an item that is not an object");
            }
            // A ReplicaSet a Deployment made carries the Deployment's annotations, the recorded count
            // included; like activation, show the owner only.
            if (target.skip_owned && stork::has_owner_references(item)) continue;
            auto row = stork::app_status_row(target, item);
            if (!row.desired && row.desired_error.empty()) continue;  // nothing recorded: not a migrated app
            rows.push_back(std::move(row));
            if (cli::is_machine_readable(flags.output)) {
              rapidjson::Document copy;
              copy.CopyFrom(item, copy.GetAllocator());
              add_type_meta(copy, target.type);
              objects.push_back(std::move(copy));
            }
          }
          return {};
        });
    if (!listed) return std::move(listed).error().wrap("listing " + target.type.group_resource());
  }
  const bool wide = flags.output == cli::OutputFormat::Wide;
  return print_view(io, flags, objects, ns, true, 0, [&] {
    ViewTable table{{"KIND", "NAME", "DESIRED", "CURRENT", "READY", "ACTIVATED"}, {}};
    if (wide) table.headers.emplace_back("STATE");
    for (const auto& row : rows) {
      std::vector<std::string> cells = {row.kind,
                                        row.name,
                                        row.desired ? std::to_string(*row.desired) : "<invalid>",
                                        row.current ? std::to_string(*row.current) : "<none>",
                                        row.ready ? std::to_string(*row.ready) : "<none>",
                                        row.activated ? "yes" : "no"};
      if (wide) cells.push_back(row.state);
      table.rows.emplace_back(row.namespace_name, std::move(cells));
    }
    return table;
  });
}

// storkctl's `get failover|failback`: the Actions of that type, and beside them the runs of
// `kubectl dr failover|failback` recorded in their journals (only when no names are given: names are
// Actions'). Where Actions are not served (Stork before 24.2), the runs alone.
Result<void> actions_view(kube::ApiClient& api, const cli::CommonFlags& flags, Wanted& wanted, Io& io,
                          stork::ActionType type) {
  const std::string ns = flags.all_namespaces ? "" : effective_namespace(flags.overrides, api);
  auto actions = fetch_objects(api, kube::types::actions, ns, flags.selector, wanted, io);
  if (!actions && actions.error().code != ErrorCode::NotServed) return std::move(actions).error();
  std::vector<rapidjson::Document> objects;
  if (actions) {
    for (auto& action : *actions) {
      if (stork::action_type_of(action) == type) objects.push_back(std::move(action));
    }
  }
  std::vector<stork::JournalRow> runs;
  if (wanted.names.empty()) {
    const std::string word(stork::action_type_word(type));
    auto journals = list_all(api, kube::types::configmaps, ns,
                             "app.kubernetes.io/managed-by=kubectl-dr,dr.kubectl-dr.io/operation=" + word);
    if (!journals) return std::move(journals).error().wrap("listing the journals of kubectl dr " + word);
    for (auto& configmap : *journals) {
      auto journal = stork::parse_journal(configmap);
      if (!journal) continue;  // not ours after all: a label is not a guarantee
      runs.push_back(stork::journal_row(*journal, stork::object_namespace(configmap)));
      objects.push_back(std::move(configmap));
    }
  }
  return print_view(io, flags, objects, ns, true, wanted.names.size(), [&] {
    ViewTable table{{"NAME", "CREATED", "STAGE", "STATUS", "MORE INFO"}, {}};
    for (const auto& object : objects) {
      if (stork::string_member(object, "kind") != "Action") continue;
      const auto row = stork::action_row(type, object);
      table.rows.push_back(
          {row.namespace_name, {row.name, storkctl_time(row.created), row.stage, row.status, row.more_info}});
    }
    for (const auto& row : runs) {
      table.rows.push_back(
          {row.namespace_name, {row.name, storkctl_time(row.created), row.stage, row.status, row.more_info}});
    }
    return table;
  });
}

}  // namespace

Result<int> status_command(StatusView view, const Invocation& invocation, Io& io) {
  const auto& flags = invocation.common;
  Wanted wanted{invocation.arguments, 0, {}};
  for (const char* spelling : {"cluster-pair", "clusterPair", "clusterpair"}) {
    if (wanted.cluster_pair.empty()) wanted.cluster_pair = invocation.text(spelling);
  }
  if (!wanted.cluster_pair.empty() && view != StatusView::MigrationSchedules &&
      view != StatusView::Migrations) {
    return Error::usage("-c/--cluster-pair filters migrationschedules and migrations only");
  }
  if (!wanted.names.empty()) {
    if (view == StatusView::Apps) return Error::usage("status apps takes no names; filter with -l or -n");
    if (!flags.selector.empty()) return Error::usage("name cannot be provided when a selector is specified");
    if (flags.all_namespaces && (view == StatusView::MigrationSchedules || view == StatusView::Migrations)) {
      return Error::usage("a resource cannot be retrieved by name across all namespaces");
    }
    if (flags.watch) return Error::usage("--watch shows every cluster domain; give no names with it");
  }
  if (flags.watch && view != StatusView::ClusterDomains) {
    return Error::usage("--watch is supported for clusterdomains only");
  }
  auto client = open_client(io, flags.overrides);
  if (!client) return std::move(client).error();
  auto& api = **client;
  Result<void> shown;
  switch (view) {
    case StatusView::ClusterDomains:
      shown = cluster_domains_view(api, flags, wanted, io);
      break;
    case StatusView::ClusterDomainUpdates:
      shown = cluster_domain_updates_view(api, flags, wanted, io);
      break;
    case StatusView::MigrationSchedules:
      shown = migration_schedules_view(api, flags, wanted, io);
      break;
    case StatusView::Migrations:
      shown = migrations_view(api, flags, wanted, io);
      break;
    case StatusView::ClusterPairs:
      shown = cluster_pairs_view(api, flags, wanted, io);
      break;
    case StatusView::Apps:
      shown = apps_view(api, flags, io);
      break;
    case StatusView::Failovers:
      shown = actions_view(api, flags, wanted, io, stork::ActionType::Failover);
      break;
    case StatusView::Failbacks:
      shown = actions_view(api, flags, wanted, io, stork::ActionType::Failback);
      break;
  }
  if (!shown) return std::move(shown).error();
  return wanted.missing > 0 ? 1 : 0;
}

}  // namespace dr::commands
