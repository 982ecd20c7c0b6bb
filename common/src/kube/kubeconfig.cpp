// Kubeconfig loading. The rules follow client-go's clientcmd (loading rules, merge order,
// DirectClientConfig overrides, in-cluster fallback); the error messages aim to be clearer than
// kubectl's, always naming the file involved and never echoing a secret.
#include "dr/kube/kubeconfig.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <utility>

#include "dr/core/strings.hpp"

namespace dr::kube {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kExecApiV1 = "client.authentication.k8s.io/v1";
constexpr std::string_view kExecApiV1beta1 = "client.authentication.k8s.io/v1beta1";

using strings::join;

std::string trim(std::string_view text) {
  return std::string(strings::trim(text));
}

Result<std::string> read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::config(std::strerror(errno));
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Error::config(std::strerror(errno));
  return content;
}

// First definition of a name wins; current-context from the first file that sets one.
void merge_into(KubeconfigSet& merged, KubeconfigSet&& next) {
  for (auto& file : next.files) merged.files.push_back(std::move(file));
  for (auto& [name, cluster] : next.clusters) merged.clusters.try_emplace(name, std::move(cluster));
  for (auto& [name, user] : next.users) merged.users.try_emplace(name, std::move(user));
  for (auto& [name, context] : next.contexts) merged.contexts.try_emplace(name, std::move(context));
  if (merged.current_context.empty() && !next.current_context.empty()) {
    merged.current_context = std::move(next.current_context);
    merged.current_context_file = std::move(next.current_context_file);
  }
}

Result<KubeconfigSet> load_file(const std::string& path) {
  auto content = read_whole_file(path);
  if (!content) return std::move(content).error().wrap("loading kubeconfig " + path);
  return parse_kubeconfig(*content, path);
}

std::vector<std::string> split_path_list(const std::string& list) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(list);
  while (std::getline(in, item, ':')) {
    if (!item.empty() && std::find(out.begin(), out.end(), item) == out.end()) out.push_back(item);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// From the merged kubeconfig (or the in-cluster settings) plus the flags to a RestConfig.

// Where a file-valued setting came from, so a failure to read it can say so.
std::string origin_of(const std::string& flag, bool from_flag, const std::string& entity,
                      const std::string& source_file) {
  if (from_flag) return "given by " + flag;
  if (source_file.empty()) return "of " + entity;
  return "of " + entity + " in " + source_file;
}

struct ResolvedInputs {
  KubeconfigCluster cluster;
  KubeconfigUser user;
  std::string namespace_name;
  bool namespace_from_flag = false;
  std::string context_name;
  // Which file-valued settings were given as flags (they are relative to the working directory).
  bool ca_from_flag = false;
  bool cert_from_flag = false;
  bool key_from_flag = false;
};

// client-go's DirectClientConfig rules for flags layered over the chosen cluster and user.
void apply_overrides(const ConfigOverrides& flags, ResolvedInputs& in) {
  KubeconfigCluster& cluster = in.cluster;
  if (!flags.server.empty()) cluster.server = flags.server;
  // A CA flag or --insecure-skip-tls-verify=true replaces the file's CA settings entirely, so a CA
  // in the file does not conflict with the insecure flag.
  const bool insecure_flag = flags.insecure_skip_tls_verify.value_or(false);
  if (insecure_flag || !flags.certificate_authority.empty()) {
    cluster.insecure_skip_tls_verify = insecure_flag;
    cluster.certificate_authority = flags.certificate_authority;
    cluster.certificate_authority_data.clear();
    in.ca_from_flag = !flags.certificate_authority.empty();
  } else if (flags.insecure_skip_tls_verify.has_value()) {
    cluster.insecure_skip_tls_verify = false;
  }
  // Pointing --server elsewhere makes the file's tls-server-name meaningless.
  if (!flags.tls_server_name.empty() || !flags.server.empty())
    cluster.tls_server_name = flags.tls_server_name;
  if (flags.disable_compression) cluster.disable_compression = *flags.disable_compression;

  KubeconfigUser& user = in.user;
  if (!flags.token.empty()) {
    // An explicit token is what the user wants sent; it replaces every other way to get one.
    user.token = flags.token;
    user.token_file.clear();
    user.exec.reset();
    user.has_auth_provider = false;
  }
  if (!flags.client_certificate.empty()) {
    user.client_certificate = flags.client_certificate;
    user.client_certificate_data.clear();
    in.cert_from_flag = true;
  }
  if (!flags.client_key.empty()) {
    user.client_key = flags.client_key;
    user.client_key_data.clear();
    in.key_from_flag = true;
  }
  if (!flags.username.empty()) user.username = flags.username;
  if (!flags.password.empty()) user.password = flags.password;
  if (!flags.impersonate_user.empty()) user.impersonate_user = flags.impersonate_user;
  if (!flags.impersonate_uid.empty()) user.impersonate_uid = flags.impersonate_uid;
  if (!flags.impersonate_groups.empty()) user.impersonate_groups = flags.impersonate_groups;

  if (!flags.namespace_name.empty()) {
    in.namespace_name = flags.namespace_name;
    in.namespace_from_flag = true;
  }
}

Result<std::string> read_setting_file(const std::string& field, const std::string& path,
                                      const std::string& origin) {
  auto content = read_whole_file(path);
  if (!content) return std::move(content).error().wrap("reading " + field + " " + path + " (" + origin + ")");
  return content;
}

std::string user_label(const KubeconfigUser& user) {
  std::string label = "user " + strings::quoted(user.name);
  if (!user.source_file.empty()) label += " in " + user.source_file;
  return label;
}

Result<void> validate_exec(ExecConfig& exec, const KubeconfigUser& user) {
  const std::string label = user_label(user);
  if (exec.command.empty()) return Error::config("exec plugin of " + label + " has no command");
  if (exec.api_version.empty())
    return Error::config("exec plugin of " + label + " has no apiVersion (use " + std::string(kExecApiV1) +
                         ")");
  if (exec.api_version != kExecApiV1 && exec.api_version != kExecApiV1beta1)
    return Error::config("exec plugin of " + label + ": invalid apiVersion " +
                         strings::quoted(exec.api_version) + " (supported: " + std::string(kExecApiV1) +
                         ", " + std::string(kExecApiV1beta1) + ")");
  if (exec.interactive_mode.empty()) {
    // v1beta1 predates the field and defaulted to IfAvailable; v1 makes it mandatory.
    if (exec.api_version == kExecApiV1beta1) {
      exec.interactive_mode = "IfAvailable";
    } else {
      return Error::config("interactiveMode must be specified for " + label +
                           " to use exec authentication plugin (Never, IfAvailable or Always)");
    }
  }
  if (exec.interactive_mode != "Never" && exec.interactive_mode != "IfAvailable" &&
      exec.interactive_mode != "Always")
    return Error::config("invalid interactiveMode " + strings::quoted(exec.interactive_mode) + " for " +
                         label + " (Never, IfAvailable or Always)");
  return {};
}

// kubectl accepts "--server=host:6443"; client-go then picks https when any TLS setting is present.
std::string normalize_server(const std::string& server, const TlsConfig& tls, bool has_client_cert) {
  if (server.empty() || server.find("://") != std::string::npos) return server;
  const bool tls_configured = !tls.ca_pem.empty() || tls.insecure_skip_verify || has_client_cert;
  return (tls_configured ? "https://" : "http://") + server;
}

Result<RestConfig> build_rest_config(const ResolvedInputs& in) {
  RestConfig config;
  config.context_name = in.context_name;
  config.cluster_name = in.cluster.name;
  config.user_name = in.user.name;
  config.namespace_name = in.namespace_name.empty() ? "default" : in.namespace_name;
  config.namespace_from_flag = in.namespace_from_flag;

  const KubeconfigCluster& cluster = in.cluster;
  const std::string cluster_entity =
      cluster.name.empty() ? "the in-cluster config" : "cluster " + strings::quoted(cluster.name);
  // client-go refuses the pair rather than choose (its transport's words): a CA says "verify against
  // this", insecure says "verify nothing", and connecting unverified would send the credentials to
  // whoever answers. The --insecure-skip-tls-verify flag has already dropped the file's CA.
  if (cluster.insecure_skip_tls_verify &&
      (!cluster.certificate_authority_data.empty() || !cluster.certificate_authority.empty())) {
    return Error::config("specifying a root certificates file with the insecure flag is not allowed");
  }
  if (!cluster.certificate_authority_data.empty()) {
    config.tls.ca_pem = cluster.certificate_authority_data;
    config.tls.ca_source = "certificate-authority-data";
  } else if (!cluster.certificate_authority.empty()) {
    auto pem = read_setting_file(
        "certificate-authority", cluster.certificate_authority,
        origin_of("--certificate-authority", in.ca_from_flag, cluster_entity, cluster.source_file));
    if (!pem) return std::move(pem).error();
    config.tls.ca_pem = std::move(*pem);
    config.tls.ca_source = cluster.certificate_authority;
  }
  config.tls.insecure_skip_verify = cluster.insecure_skip_tls_verify;
  config.tls.server_name = cluster.tls_server_name;
  config.proxy_url = cluster.proxy_url;
  config.disable_compression = cluster.disable_compression;

  const KubeconfigUser& user = in.user;
  const std::string user_entity =
      user.name.empty() ? "the in-cluster config" : "user " + strings::quoted(user.name);
  if (!user.client_certificate_data.empty()) {
    config.tls.client_cert_pem = user.client_certificate_data;
  } else if (!user.client_certificate.empty()) {
    auto pem = read_setting_file(
        "client-certificate", user.client_certificate,
        origin_of("--client-certificate", in.cert_from_flag, user_entity, user.source_file));
    if (!pem) return std::move(pem).error();
    config.tls.client_cert_pem = std::move(*pem);
  }
  if (!user.client_key_data.empty()) {
    config.tls.client_key_pem = user.client_key_data;
  } else if (!user.client_key.empty()) {
    auto pem = read_setting_file("client-key", user.client_key,
                                 origin_of("--client-key", in.key_from_flag, user_entity, user.source_file));
    if (!pem) return std::move(pem).error();
    config.tls.client_key_pem = std::move(*pem);
  }
  if (config.tls.client_cert_pem.empty() != config.tls.client_key_pem.empty()) {
    const char* missing = config.tls.client_key_pem.empty() ? "client-key" : "client-certificate";
    const char* present = config.tls.client_key_pem.empty() ? "client-certificate" : "client-key";
    return Error::config(std::string(present) + " is set for " + user_label(user) + " but " + missing +
                         " is not: both are needed for client certificate authentication");
  }

  if (!user.token.empty()) {
    config.bearer_token = user.token;
    config.token_file = user.token_file;  // client-go keeps it so a rotated file is picked up
  } else if (!user.token_file.empty()) {
    auto token =
        read_setting_file("tokenFile", user.token_file, origin_of("", false, user_entity, user.source_file));
    if (!token) return std::move(token).error();
    config.bearer_token = trim(*token);
    config.token_file = user.token_file;
  }
  config.username = user.username;
  config.password = user.password;

  if (user.has_auth_provider) {
    const std::string provider =
        user.auth_provider_name.empty() ? "" : " " + strings::quoted(user.auth_provider_name);
    return Error::config(user_label(user) + " uses auth-provider" + provider +
                         ", which kubectl-dr does not support: configure an exec credential plugin instead "
                         "(e.g. gke-gcloud-auth-plugin, kubelogin, aws eks get-token)");
  }
  if (user.exec) {
    ExecConfig exec = *user.exec;
    Result<void> valid = validate_exec(exec, user);
    if (!valid) return std::move(valid).error();
    config.exec = std::move(exec);
  }

  config.impersonate_user = user.impersonate_user;
  config.impersonate_groups = user.impersonate_groups;
  config.impersonate_uid = user.impersonate_uid;
  if (config.impersonate_user.empty() &&
      (!config.impersonate_groups.empty() || !config.impersonate_uid.empty()))
    return Error::config("--as-group and --as-uid need --as (or as: in " + user_label(user) +
                         "): groups and uid only refine an impersonated user");

  config.server = normalize_server(cluster.server, config.tls, !config.tls.client_cert_pem.empty());
  if (config.server.empty()) {
    if (cluster.name.empty())
      return Error::config("no server given: pass --server or choose a context with --context");
    std::string where = cluster.source_file.empty() ? "" : " in " + cluster.source_file;
    return Error::config("cluster " + strings::quoted(cluster.name) + where + " has no server");
  }
  return config;
}

bool in_cluster_environment(const Environment& env) {
  const auto host = env.get("KUBERNETES_SERVICE_HOST");
  const auto port = env.get("KUBERNETES_SERVICE_PORT");
  return host && !host->empty() && port && !port->empty();
}

// The in-cluster settings expressed as a cluster and a user, so the same flag rules apply.
Result<ResolvedInputs> in_cluster_inputs(const Environment& env) {
  if (!in_cluster_environment(env))
    return Error::config(
        "not running in a pod: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set");
  const std::string host = *env.get("KUBERNETES_SERVICE_HOST");
  const std::string port = *env.get("KUBERNETES_SERVICE_PORT");
  const bool ipv6 = host.find(':') != std::string::npos;
  ResolvedInputs in;
  in.cluster.server = "https://" + (ipv6 ? "[" + host + "]" : host) + ":" + port;
  const fs::path sa_dir(env.service_account_dir);
  in.cluster.certificate_authority = (sa_dir / "ca.crt").string();
  in.user.token_file = (sa_dir / "token").string();

  if (auto pod_namespace = env.get("POD_NAMESPACE"); pod_namespace && !pod_namespace->empty()) {
    in.namespace_name = *pod_namespace;
  } else if (auto from_file = read_whole_file((sa_dir / "namespace").string()); from_file) {
    in.namespace_name = trim(*from_file);
  }
  return in;
}

Error no_kubeconfig_error(const KubeconfigSet& set, const Environment& env) {
  if (!set.files.empty()) {
    return Error::config(set.describe_files() + (set.files.size() == 1 ? " is" : " are") +
                         " empty (no contexts, clusters or users): pass --server, or add a context");
  }
  std::string hint = "set KUBECONFIG, pass --kubeconfig, or create ~/.kube/config";
  if (env.get("KUBECONFIG").value_or("").empty() == false) {
    hint = "none of the files in KUBECONFIG exist (" + join(set.candidates, ", ") + "): " + hint;
  }
  return std::move(Error::config(std::move(hint))).wrap("no kubeconfig found");
}

std::string context_hint(const KubeconfigSet& set) {
  if (set.contexts.empty()) return "it defines no contexts";
  return "contexts: " + join(set.context_names(), ", ");
}

}  // namespace

// ---------------------------------------------------------------------------------------------

std::optional<std::string> Environment::get(const std::string& name) const {
  if (!lookup) return std::nullopt;
  return lookup(name);
}

std::string Environment::home() const {
  if (!home_dir.empty()) return home_dir;
  return get("HOME").value_or("");
}

Environment Environment::process() {
  Environment env;
  env.lookup = [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
  return env;
}

Environment Environment::from_map(std::map<std::string, std::string> variables) {
  Environment env;
  env.lookup = [vars = std::move(variables)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
  return env;
}

std::vector<std::string> KubeconfigSet::context_names() const {
  std::vector<std::string> names;
  names.reserve(contexts.size());
  for (const auto& entry : contexts) names.push_back(entry.first);
  return names;  // std::map iterates in sorted order
}

std::string KubeconfigSet::describe_files() const {
  if (files.empty()) return "no kubeconfig";
  if (files.size() == 1) return "kubeconfig " + files.front();
  return "kubeconfig files " + join(files, ", ");
}

Result<KubeconfigSet> load_kubeconfig(const ConfigOverrides& overrides, const Environment& env) {
  KubeconfigSet merged;
  if (!overrides.kubeconfig.empty()) {
    // An explicit file must exist, unlike KUBECONFIG entries.
    merged.explicit_file = true;
    merged.candidates.push_back(overrides.kubeconfig);
    std::error_code ec;
    if (!fs::exists(overrides.kubeconfig, ec))
      return Error::config("the file given by --kubeconfig does not exist: " + overrides.kubeconfig);
    auto set = load_file(overrides.kubeconfig);
    if (!set) return std::move(set).error();
    merge_into(merged, std::move(*set));
    return merged;
  }

  std::vector<std::string> candidates;
  if (auto list = env.get("KUBECONFIG"); list && !list->empty()) {
    candidates = split_path_list(*list);
  } else if (const std::string home = env.home(); !home.empty()) {
    candidates.push_back((fs::path(home) / ".kube" / "config").string());
  }
  merged.candidates = candidates;
  for (const auto& path : candidates) {
    std::error_code ec;
    if (!fs::exists(path, ec)) continue;  // missing KUBECONFIG entries are skipped, as in client-go
    auto set = load_file(path);
    if (!set) return std::move(set).error();
    merge_into(merged, std::move(*set));
  }
  return merged;
}

Result<RestConfig> in_cluster_config(const Environment& env) {
  auto inputs = in_cluster_inputs(env);
  if (!inputs) return std::move(inputs).error();
  auto config = build_rest_config(*inputs);
  if (!config) return std::move(config).error().wrap("in-cluster config");
  return config;
}

Result<RestConfig> load_rest_config(const ConfigOverrides& overrides, const Environment& env) {
  auto loaded = load_kubeconfig(overrides, env);
  if (!loaded) return std::move(loaded).error();
  const KubeconfigSet& set = *loaded;

  const bool selects_entries =
      !overrides.context.empty() || !overrides.cluster.empty() || !overrides.user.empty();
  if (set.empty() && overrides.server.empty() && !selects_entries) {
    // Nothing usable in any file: a pod's service account is the last resort, as in client-go.
    if (in_cluster_environment(env)) {
      auto inputs = in_cluster_inputs(env);
      if (!inputs) return std::move(inputs).error();
      apply_overrides(overrides, *inputs);
      auto config = build_rest_config(*inputs);
      if (!config) return std::move(config).error().wrap("in-cluster config");
      return config;
    }
    return no_kubeconfig_error(set, env);
  }

  ResolvedInputs inputs;
  KubeconfigContext context;
  const std::string context_name = overrides.context.empty() ? set.current_context : overrides.context;
  if (!context_name.empty()) {
    if (auto it = set.contexts.find(context_name); it != set.contexts.end()) {
      context = it->second;
      inputs.context_name = context_name;
    } else if (!overrides.context.empty()) {
      return Error::config("context " + strings::quoted(context_name) + " not found in " +
                           set.describe_files() + " (" + context_hint(set) + ")");
    } else if (overrides.server.empty()) {
      return Error::config("current-context " + strings::quoted(context_name) + " (set in " +
                           set.current_context_file + ") not found in " + set.describe_files() + " (" +
                           context_hint(set) + ")");
    }
  } else if (overrides.server.empty() && overrides.cluster.empty()) {
    if (set.empty()) return no_kubeconfig_error(set, env);
    return Error::config("no current-context is set in " + set.describe_files() +
                         " and no --context was given (" + context_hint(set) + ")");
  }

  const std::string context_label =
      inputs.context_name.empty() ? "" : " (used by context " + strings::quoted(inputs.context_name) + ")";
  const std::string cluster_name = overrides.cluster.empty() ? context.cluster : overrides.cluster;
  if (!cluster_name.empty()) {
    auto it = set.clusters.find(cluster_name);
    if (it == set.clusters.end())
      return Error::config("cluster " + strings::quoted(cluster_name) +
                           (overrides.cluster.empty() ? context_label : "") + " not found in " +
                           set.describe_files());
    inputs.cluster = it->second;
  } else if (overrides.server.empty()) {
    return Error::config("context " + strings::quoted(inputs.context_name) + " in " + context.source_file +
                         " names no cluster: add one or pass --server");
  }

  const std::string user_name = overrides.user.empty() ? context.user : overrides.user;
  if (!user_name.empty()) {
    auto it = set.users.find(user_name);
    if (it == set.users.end())
      return Error::config("user " + strings::quoted(user_name) +
                           (overrides.user.empty() ? context_label : "") + " not found in " +
                           set.describe_files());
    inputs.user = it->second;
  }

  inputs.namespace_name = context.namespace_name;
  apply_overrides(overrides, inputs);
  return build_rest_config(inputs);
}

Result<RestConfig> load_rest_config(const ConfigOverrides& overrides) {
  return load_rest_config(overrides, Environment::process());
}

}  // namespace dr::kube
