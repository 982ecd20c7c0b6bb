// The resolved connection settings for one API server: what kubeconfig loading produces and what the
// transport, the credentials and the API client consume. Plain values, no behaviour.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dr::kube {

struct TlsConfig {
  std::string ca_pem;  // PEM bundle held in memory; empty = the system trust store
  std::string
      ca_source;  // where ca_pem came from (a file path or "certificate-authority-data"), for messages
  std::string client_cert_pem;  // client certificate, in memory
  std::string client_key_pem;   // client key, in memory (a secret: never logged)
  bool insecure_skip_verify = false;
  std::string server_name;  // tls-server-name: SNI and the name the certificate must carry
};

// users[].user.exec of a kubeconfig (client.authentication.k8s.io/v1 or v1beta1).
struct ExecConfig {
  std::string api_version;
  std::string command;
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;
  std::string install_hint;
  bool provide_cluster_info = false;
  std::string interactive_mode;  // Never | IfAvailable | Always ("" = IfAvailable for v1beta1)
  std::string base_dir;          // directory of the kubeconfig that defined it (relative commands)
};

struct RestConfig {
  std::string server;        // e.g. https://127.0.0.1:6443 (may carry a path prefix)
  std::string context_name;  // empty for in-cluster or --server only
  std::string cluster_name;
  std::string user_name;

  std::string namespace_name = "default";
  bool namespace_from_flag = false;  // -n given explicitly

  TlsConfig tls;
  std::string proxy_url;
  bool disable_compression = false;

  // Credentials (at most one of token / basic / exec usually set; client certs live in tls).
  std::string bearer_token;  // secret
  std::string token_file;    // re-read when it changes (service-account tokens rotate)
  std::string username;
  std::string password;  // secret
  std::optional<ExecConfig> exec;

  // Impersonation (--as, --as-group, --as-uid).
  std::string impersonate_user;
  std::vector<std::string> impersonate_groups;
  std::string impersonate_uid;

  std::chrono::milliseconds request_timeout{0};  // 0 = no limit (kubectl's --request-timeout=0)
};

// The kubectl flags that change how the config is chosen. Empty/nullopt = not given.
struct ConfigOverrides {
  std::string kubeconfig;             // --kubeconfig
  std::string context;                // --context
  std::string cluster;                // --cluster
  std::string user;                   // --user
  std::string server;                 // -s/--server
  std::string token;                  // --token
  std::string namespace_name;         // -n/--namespace
  std::string certificate_authority;  // --certificate-authority (file)
  std::string client_certificate;     // --client-certificate (file)
  std::string client_key;             // --client-key (file)
  std::optional<bool> insecure_skip_tls_verify;
  std::string tls_server_name;
  std::optional<bool> disable_compression;      // --disable-compression, given either way wins over the file
  std::string impersonate_user;                 // --as
  std::vector<std::string> impersonate_groups;  // --as-group (repeatable)
  std::string impersonate_uid;                  // --as-uid
  std::string username;                         // --username
  std::string password;                         // --password
  std::string request_timeout;                  // --request-timeout, kubectl's format ("0", "30", "5s", "1m")
};

}  // namespace dr::kube
