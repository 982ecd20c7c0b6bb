// Kubeconfig loading with client-go semantics: which files are read (--kubeconfig, else KUBECONFIG,
// else ~/.kube/config, else in-cluster), how several files merge, how the kubectl flags override
// what the files say, and how the result becomes a RestConfig.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dr/core/error.hpp"
#include "dr/kube/rest_config.hpp"

namespace dr::kube {

inline constexpr std::string_view kDefaultServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

// Everything loading looks at outside the kubeconfig files themselves, so tests can inject it.
struct Environment {
  // Looks up an environment variable; nullopt = not set. An empty function = nothing is set.
  std::function<std::optional<std::string>(const std::string& name)> lookup;
  std::string home_dir;  // empty = $HOME through `lookup`
  std::string service_account_dir = std::string(kDefaultServiceAccountDir);

  std::optional<std::string> get(const std::string& name) const;
  // The directory ~/.kube/config lives in, or empty when neither home_dir nor HOME is known.
  std::string home() const;

  static Environment process();  // the real process environment
  static Environment from_map(std::map<std::string, std::string> variables);
};

// One clusters[] entry. Relative paths are already resolved against the directory of `source_file`;
// *-data fields are already base64-decoded.
struct KubeconfigCluster {
  std::string name;
  std::string source_file;  // the kubeconfig file that defined it
  std::string server;
  std::string certificate_authority;       // file path
  std::string certificate_authority_data;  // PEM
  bool insecure_skip_tls_verify = false;
  std::string tls_server_name;
  std::string proxy_url;
  bool disable_compression = false;
};

// One users[] entry (same conventions as KubeconfigCluster).
struct KubeconfigUser {
  std::string name;
  std::string source_file;
  std::string client_certificate;       // file path
  std::string client_certificate_data;  // PEM
  std::string client_key;               // file path
  std::string client_key_data;          // PEM (secret)
  std::string token;                    // secret
  std::string token_file;
  std::string username;
  std::string password;  // secret
  std::string impersonate_user;
  std::string impersonate_uid;
  std::vector<std::string> impersonate_groups;
  std::optional<ExecConfig> exec;  // as written: interactive_mode may be empty, command resolved
  std::string auth_provider_name;  // legacy auth-provider (unsupported); empty = none
  bool has_auth_provider = false;
};

struct KubeconfigContext {
  std::string name;
  std::string source_file;
  std::string cluster;
  std::string user;
  std::string namespace_name;
};

// The merged view of every kubeconfig file that was read: for each map the first file defining a
// name wins, current-context comes from the first file that sets it.
struct KubeconfigSet {
  std::vector<std::string> files;       // files actually read, in precedence order
  std::vector<std::string> candidates;  // files that were considered (KUBECONFIG entries may be missing)
  bool explicit_file = false;           // from --kubeconfig
  std::map<std::string, KubeconfigCluster> clusters;
  std::map<std::string, KubeconfigUser> users;
  std::map<std::string, KubeconfigContext> contexts;
  std::string current_context;
  std::string current_context_file;  // which file set current-context

  bool empty() const {
    return clusters.empty() && users.empty() && contexts.empty() && current_context.empty();
  }
  std::vector<std::string> context_names() const;  // sorted, for completion
  // "kubeconfig /a/config" or "kubeconfig files /a, /b" or "no kubeconfig", for messages.
  std::string describe_files() const;
};

// Reads and merges the kubeconfig files chosen by --kubeconfig / KUBECONFIG / ~/.kube/config.
// Nothing found is not an error here (the set is empty); unreadable or malformed files are.
Result<KubeconfigSet> load_kubeconfig(const ConfigOverrides& overrides, const Environment& env);

// Parses one kubeconfig document; `source_file` names it in errors and anchors relative paths.
Result<KubeconfigSet> parse_kubeconfig(std::string_view yaml_text, const std::string& source_file);

// The connection settings kubectl would use for these flags. Reads CA/cert/key/token files into
// memory. Does not touch RestConfig.request_timeout: the caller parses --request-timeout.
Result<RestConfig> load_rest_config(const ConfigOverrides& overrides, const Environment& env);
Result<RestConfig> load_rest_config(const ConfigOverrides& overrides);  // the process environment

// In-cluster config from KUBERNETES_SERVICE_HOST/PORT and the service-account directory, before
// any flag overrides. Error when not running in a pod.
Result<RestConfig> in_cluster_config(const Environment& env);

}  // namespace dr::kube
