#include "dr/stork/cluster_domains.hpp"

#include <algorithm>

#include "dr/kube/resource.hpp"
#include "dr/stork/object.hpp"

namespace dr::stork {

ClusterDomainsStatusRow cluster_domains_status_row(const rapidjson::Value& status_object) {
  ClusterDomainsStatusRow row;
  row.name = std::string(object_name(status_object));
  row.created = parse_kube_time(creation_timestamp(status_object));
  const auto* status = member(status_object, "status");
  if (status == nullptr) return row;
  row.local_domain = std::string(string_member(*status, "localDomain"));
  const auto* infos = member(*status, "clusterDomainInfos");
  if (infos == nullptr || !infos->IsArray()) return row;
  for (const auto& info : infos->GetArray()) {
    DomainInfo domain;
    domain.name = std::string(string_member(info, "name"));
    domain.state = string_member(info, "state") == "Active" ? DomainState::Active : DomainState::Inactive;
    domain.sync_status = std::string(string_member(info, "syncStatus"));
    std::string& column = domain.state == DomainState::Active ? row.active : row.inactive;
    if (!column.empty()) column += ", ";
    column += domain.name + " (" + domain.sync_status + ")";
    row.domains.push_back(std::move(domain));
  }
  return row;
}

std::vector<ClusterDomainsStatusRow> cluster_domains_status_rows(const rapidjson::Value& items) {
  return rows_of_items(items, cluster_domains_status_row);
}

std::optional<DomainState> find_domain(const std::vector<ClusterDomainsStatusRow>& statuses,
                                       std::string_view name) {
  for (const auto& status : statuses) {
    for (const auto& domain : status.domains) {
      if (domain.name == name) return domain.state;
    }
  }
  return std::nullopt;
}

std::vector<std::string> domains_in_state(const std::vector<ClusterDomainsStatusRow>& statuses,
                                          DomainState state) {
  std::vector<std::string> names;
  for (const auto& status : statuses) {
    for (const auto& domain : status.domains) {
      if (domain.state == state && std::find(names.begin(), names.end(), domain.name) == names.end()) {
        names.push_back(domain.name);
      }
    }
  }
  return names;
}

std::vector<std::string> cluster_domain_update_names(std::string_view base, std::size_t count) {
  std::vector<std::string> names;
  names.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    names.push_back(count > 1 ? std::string(base) + "-" + std::to_string(i) : std::string(base));
  }
  return names;
}

std::string uuid_v4_from(std::uint64_t high, std::uint64_t low) {
  high = (high & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
  low = (low & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;    // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  auto put = [&](std::uint64_t word, int from_nibble, int count) {
    for (int i = from_nibble; i < from_nibble + count; ++i) out += kHex[(word >> (60 - 4 * i)) & 0xF];
  };
  put(high, 0, 8);
  out += '-';
  put(high, 8, 4);
  out += '-';
  put(high, 12, 4);
  out += '-';
  put(low, 0, 4);
  out += '-';
  put(low, 4, 12);
  return out;
}

std::string random_uuid_v4() {
  std::random_device device;
  auto word = [&] { return (static_cast<std::uint64_t>(device()) << 32) | device(); };
  std::uint64_t high = word();
  std::uint64_t low = word();
  return uuid_v4_from(high, low);
}

std::string cluster_domain_update_body(std::string_view name, std::string_view domain, bool activate) {
  std::string body = "{\"apiVersion\":";
  append_json_string(body, kube::types::clusterdomainupdates.api_version());
  body += ",\"kind\":\"ClusterDomainUpdate\",\"metadata\":{\"name\":";
  append_json_string(body, name);
  body += "},\"spec\":{\"clusterdomain\":";
  append_json_string(body, domain);
  body += ",\"active\":";
  body += activate ? "true" : "false";
  body += "}}";
  return body;
}

ClusterDomainUpdateRow cluster_domain_update_row(const rapidjson::Value& update_object) {
  ClusterDomainUpdateRow row;
  row.name = std::string(object_name(update_object));
  row.created = parse_kube_time(creation_timestamp(update_object));
  if (const auto* spec = member(update_object, "spec")) {
    row.cluster_domain = std::string(string_member(*spec, "clusterdomain"));
    auto active = bool_at(*spec, "active");
    row.action = active.value_or(false) ? "Activate" : "Deactivate";
  } else {
    row.action = "Deactivate";  // storkctl: anything not active is a deactivation
  }
  if (const auto* status = member(update_object, "status")) {
    row.status = std::string(string_member(*status, "status"));
    row.reason = std::string(string_member(*status, "reason"));
  }
  return row;
}

std::vector<ClusterDomainUpdateRow> cluster_domain_update_rows(const rapidjson::Value& items) {
  return rows_of_items(items, cluster_domain_update_row);
}

std::string domain_operation_started_message(std::string_view domain, bool activate) {
  return std::string("Cluster Domain ") + (activate ? "activate" : "deactivate") +
         " operation started successfully for " + std::string(domain);
}

std::string domain_not_found_message(std::string_view domain) {
  return "provided cluster domain " + std::string(domain) + " not found";
}

std::string domain_already_message(std::string_view domain, bool activate) {
  return "Cluster Domain " + std::string(domain) + " is already " + (activate ? "active" : "inactive") +
         "; no update created";
}

std::string deactivation_hazard(const std::vector<ClusterDomainsStatusRow>& statuses,
                                const std::vector<std::string>& domains) {
  auto deactivated = [&](std::string_view name) {
    return std::find(domains.begin(), domains.end(), name) != domains.end();
  };
  for (const auto& status : statuses) {
    if (!status.local_domain.empty() && deactivated(status.local_domain)) {
      return status.local_domain + " is the local cluster domain (the one this context talks to)";
    }
  }
  const auto active = domains_in_state(statuses, DomainState::Active);
  const bool one_left =
      std::any_of(active.begin(), active.end(), [&](const auto& name) { return !deactivated(name); });
  if (!active.empty() && !one_left) return "no cluster domain would be left active";
  return {};
}

std::optional<std::string> pending_update_for(const std::vector<ClusterDomainUpdateRow>& updates,
                                              std::string_view domain, bool activate) {
  const std::string_view action = activate ? "Activate" : "Deactivate";
  for (const auto& update : updates) {
    if (update.cluster_domain == domain && update.action == action && update.status != "Successful" &&
        update.status != "Failed") {
      return update.name;
    }
  }
  return std::nullopt;
}

}  // namespace dr::stork
