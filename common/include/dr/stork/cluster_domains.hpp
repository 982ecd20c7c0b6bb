// ClusterDomainsStatus and ClusterDomainUpdate: the rows `get clusterdomainsstatus` /
// `get clusterdomainupdate` print, the lookups activate/deactivate need, and the update objects
// they create (as storkctl's pkg/storkctl/clusterdomainupdate.go does).
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "dr/core/error.hpp"
#include "dr/stork/kube_time.hpp"

namespace dr::stork {

enum class DomainState { Active, Inactive };

struct DomainInfo {
  std::string name;
  DomainState state = DomainState::Inactive;  // anything but "Active" counts as inactive, as storkctl
  std::string sync_status;                    // InSync, SyncInProgress, NotInSync, SyncStatusUnknown
};

struct ClusterDomainsStatusRow {
  std::string name;
  std::string local_domain;
  std::string active;  // "us-east-1b (SyncStatusUnknown)", joined by ", "
  std::string inactive;
  std::optional<TimePoint> created;
  std::vector<DomainInfo> domains;  // the parsed infos, in order
};

ClusterDomainsStatusRow cluster_domains_status_row(const rapidjson::Value& status_object);
// `items` is a list's items array (or any array of ClusterDomainsStatus objects).
std::vector<ClusterDomainsStatusRow> cluster_domains_status_rows(const rapidjson::Value& items);

// The state of domain `name` in any status, or nullopt when no status lists it.
std::optional<DomainState> find_domain(const std::vector<ClusterDomainsStatusRow>& statuses,
                                       std::string_view name);
// Every domain in `state`, in listing order, without duplicates (activate --all: the Inactive ones).
std::vector<std::string> domains_in_state(const std::vector<ClusterDomainsStatusRow>& statuses,
                                          DomainState state);

// Names for the ClusterDomainUpdates of one command: one random UUID (or --name) for all of them;
// when there are several, suffixed "-0", "-1", ... in order.
std::vector<std::string> cluster_domain_update_names(std::string_view base, std::size_t count);
// A random version 4 UUID, lower-case hex "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".
std::string random_uuid_v4();
std::string uuid_v4_from(std::uint64_t high, std::uint64_t low);  // deterministic, for tests

// {"apiVersion":"stork.libopenstorage.org/v1alpha1","kind":"ClusterDomainUpdate",
//  "metadata":{"name":NAME},"spec":{"clusterdomain":DOMAIN,"active":BOOL}}
std::string cluster_domain_update_body(std::string_view name, std::string_view domain, bool activate);

struct ClusterDomainUpdateRow {
  std::string name;
  std::string cluster_domain;
  std::string action;  // "Activate" / "Deactivate"
  std::string status;  // "", Pending, Successful, Failed
  std::string reason;
  std::optional<TimePoint> created;
};
ClusterDomainUpdateRow cluster_domain_update_row(const rapidjson::Value& update_object);
std::vector<ClusterDomainUpdateRow> cluster_domain_update_rows(const rapidjson::Value& items);

// storkctl's messages.
std::string domain_operation_started_message(std::string_view domain, bool activate);
std::string domain_not_found_message(std::string_view domain);  // "provided cluster domain X not found"
// Ours: the domain already is where the command would put it (no update is created).
std::string domain_already_message(std::string_view domain, bool activate);

// Why deactivating `domains` is unsafe (empty: it is not): one of them is a status's local domain
// (the cluster the command talks to), or no domain would be left active. storkctl does it anyway.
std::string deactivation_hazard(const std::vector<ClusterDomainsStatusRow>& statuses,
                                const std::vector<std::string>& domains);

// The name of an update for `domain` in the same direction that Stork has not yet decided
// (status neither Successful nor Failed), so a rerun after a --wait timeout reuses it.
std::optional<std::string> pending_update_for(const std::vector<ClusterDomainUpdateRow>& updates,
                                              std::string_view domain, bool activate);

}  // namespace dr::stork
