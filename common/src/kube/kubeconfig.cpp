// Kubeconfig loading. The rules follow client-go's clientcmd (loading rules, merge order,
// DirectClientConfig overrides, in-cluster fallback); the error messages aim to be clearer than
// kubectl's, always naming the file involved and never echoing a secret.
#include "dr/kube/kubeconfig.hpp"

#include <yaml-cpp/yaml.h>

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

#include "dr/core/base64.hpp"
#include "dr/core/strings.hpp"
#include "kube/kubeconfig_yaml.hpp"

namespace dr::kube {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kExecApiV1 = "client.authentication.k8s.io/v1";
constexpr std::string_view kExecApiV1beta1 = "client.authentication.k8s.io/v1beta1";

using strings::join;

std::string in_quotes(std::string_view text) {
  return strings::quoted(text);
}

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

std::string resolve_relative(const std::string& base_dir, const std::string& path) {
  if (path.empty() || fs::path(path).is_absolute() || base_dir.empty()) return path;
  return (fs::path(base_dir) / path).lexically_normal().string();
}

std::string directory_of(const std::string& file) {
  std::error_code ec;
  fs::path absolute = fs::absolute(file, ec);
  if (ec) absolute = file;
  return absolute.lexically_normal().parent_path().string();
}

// ---------------------------------------------------------------------------------------------
// Parsing one file.

class FileParser {
 public:
  FileParser(const std::string& file) : file_(file), dir_(directory_of(file)) {}

  Result<KubeconfigSet> parse(std::string_view text) {
    try {
      return parse_document(text);
    } catch (const YAML::Exception& e) {
      // Conversions are checked before they are attempted, so this is a malformed document.
      return fail(e.mark, e.msg);
    }
  }

 private:
  Error fail(const YAML::Mark& mark, const std::string& message) const {
    std::string text =
        mark.is_null() || mark.line < 0 ? message : "line " + std::to_string(mark.line + 1) + ": " + message;
    return std::move(Error::config(std::move(text))).wrap("loading kubeconfig " + file_);
  }

  static const char* kind_of(const YAML::Node& node) {
    switch (node.Type()) {
      case YAML::NodeType::Sequence:
        return "a list";
      case YAML::NodeType::Map:
        return "a mapping";
      case YAML::NodeType::Scalar:
        return "a scalar";
      default:
        return "nothing";
    }
  }

  // A scalar field of `parent`, "" when absent or null.
  Result<std::string> text(const YAML::Node& parent, const char* key, const std::string& where) const {
    const YAML::Node node = parent[key];
    if (!node || node.IsNull()) return std::string();
    if (!node.IsScalar())
      return fail(node.Mark(), std::string(key) + " of " + where + " must be a string, not " + kind_of(node));
    return node.Scalar();
  }

  Result<bool> boolean(const YAML::Node& parent, const char* key, const std::string& where) const {
    const YAML::Node node = parent[key];
    if (!node || node.IsNull()) return false;
    bool value = false;
    if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value))
      return fail(node.Mark(), std::string(key) + " of " + where + " must be true or false");
    return value;
  }

  Result<std::vector<std::string>> strings(const YAML::Node& parent, const char* key,
                                           const std::string& where) const {
    std::vector<std::string> out;
    const YAML::Node node = parent[key];
    if (!node || node.IsNull()) return out;
    if (!node.IsSequence())
      return fail(node.Mark(), std::string(key) + " of " + where + " must be a list, not " + kind_of(node));
    for (const auto& item : node) {
      if (!item.IsScalar())
        return fail(item.Mark(), "entries of " + std::string(key) + " of " + where + " must be strings");
      out.push_back(item.Scalar());
    }
    return out;
  }

  // The `*-data` fields: base64 in the file, PEM (or raw bytes) in memory.
  Result<std::string> base64_field(const YAML::Node& parent, const char* key,
                                   const std::string& where) const {
    auto encoded = text(parent, key, where);
    if (!encoded) return std::move(encoded).error();
    if (encoded->empty()) return std::string();
    auto decoded = base64::decode(*encoded);
    if (!decoded) return fail(parent[key].Mark(), std::string(key) + " of " + where + " is not valid base64");
    return std::move(*decoded);
  }

  // Walks a `clusters:`/`users:`/`contexts:` list, calling `each(name, body, where)` per entry.
  template <class Each>
  Status named_list(const YAML::Node& root, const char* list_key, const char* body_key, const char* singular,
                    Each&& each) const {
    const YAML::Node list = root[list_key];
    if (!list || list.IsNull()) return {};
    if (!list.IsSequence())
      return fail(list.Mark(), std::string(list_key) + " must be a list, not " + kind_of(list));
    for (const auto& entry : list) {
      if (!entry.IsMap())
        return fail(entry.Mark(), std::string("entries of ") + list_key + " must be mappings");
      auto name = text(entry, "name", std::string(singular) + " entry");
      if (!name) return std::move(name).error();
      if (name->empty()) return fail(entry.Mark(), std::string(singular) + " entry without a name");
      const std::string where = std::string(singular) + " " + in_quotes(*name);
      const YAML::Node body = entry[body_key];
      if (body && !body.IsNull() && !body.IsMap())
        return fail(body.Mark(), std::string(body_key) + " of " + where + " must be a mapping");
      Status status = each(*name, body && body.IsMap() ? body : YAML::Node(YAML::NodeType::Map), where);
      if (!status) return status;
    }
    return {};
  }

  Result<KubeconfigSet> parse_document(std::string_view yaml_text) {
    KubeconfigSet set;
    set.files.push_back(file_);
    set.candidates.push_back(file_);

    YAML::Node root;
    try {
      root = detail::load_kubeconfig_yaml(yaml_text);  // fast with large *-data values
    } catch (const YAML::ParserException& e) {
      return fail(e.mark, e.msg);
    }
    if (!root || root.IsNull()) return set;  // an empty file is a valid, empty kubeconfig
    if (!root.IsMap())
      return fail(
          root.Mark(),
          std::string("expected a kubeconfig mapping (clusters, users, contexts), found ") + kind_of(root));

    auto current = text(root, "current-context", "the kubeconfig");
    if (!current) return std::move(current).error();
    set.current_context = *current;
    if (!set.current_context.empty()) set.current_context_file = file_;

    Status status =
        named_list(root, "clusters", "cluster", "cluster",
                   [&](const std::string& name, const YAML::Node& body, const std::string& where) {
                     auto cluster = parse_cluster(name, body, where);
                     if (!cluster) return Status(std::move(cluster).error());
                     set.clusters.try_emplace(name, std::move(*cluster));
                     return Status();
                   });
    if (!status) return std::move(status).error();
    status = named_list(root, "users", "user", "user",
                        [&](const std::string& name, const YAML::Node& body, const std::string& where) {
                          auto user = parse_user(name, body, where);
                          if (!user) return Status(std::move(user).error());
                          set.users.try_emplace(name, std::move(*user));
                          return Status();
                        });
    if (!status) return std::move(status).error();
    status = named_list(root, "contexts", "context", "context",
                        [&](const std::string& name, const YAML::Node& body, const std::string& where) {
                          auto context = parse_context(name, body, where);
                          if (!context) return Status(std::move(context).error());
                          set.contexts.try_emplace(name, std::move(*context));
                          return Status();
                        });
    if (!status) return std::move(status).error();
    return set;
  }

  Result<KubeconfigCluster> parse_cluster(const std::string& name, const YAML::Node& body,
                                          const std::string& where) const {
    KubeconfigCluster cluster;
    cluster.name = name;
    cluster.source_file = file_;
    const std::pair<const char*, std::string*> strings_fields[] = {
        {"server", &cluster.server},
        {"certificate-authority", &cluster.certificate_authority},
        {"tls-server-name", &cluster.tls_server_name},
        {"proxy-url", &cluster.proxy_url},
    };
    for (const auto& [key, target] : strings_fields) {
      auto value = text(body, key, where);
      if (!value) return std::move(value).error();
      *target = std::move(*value);
    }
    cluster.certificate_authority = resolve_relative(dir_, cluster.certificate_authority);
    auto ca_data = base64_field(body, "certificate-authority-data", where);
    if (!ca_data) return std::move(ca_data).error();
    cluster.certificate_authority_data = std::move(*ca_data);
    auto insecure = boolean(body, "insecure-skip-tls-verify", where);
    if (!insecure) return std::move(insecure).error();
    cluster.insecure_skip_tls_verify = *insecure;
    auto no_compression = boolean(body, "disable-compression", where);
    if (!no_compression) return std::move(no_compression).error();
    cluster.disable_compression = *no_compression;
    return cluster;
  }

  Result<KubeconfigUser> parse_user(const std::string& name, const YAML::Node& body,
                                    const std::string& where) const {
    KubeconfigUser user;
    user.name = name;
    user.source_file = file_;
    const std::pair<const char*, std::string*> string_fields[] = {
        {"client-certificate", &user.client_certificate},
        {"client-key", &user.client_key},
        {"token", &user.token},
        {"tokenFile", &user.token_file},
        {"username", &user.username},
        {"password", &user.password},
        {"as", &user.impersonate_user},
        {"as-uid", &user.impersonate_uid},
    };
    for (const auto& [key, target] : string_fields) {
      auto value = text(body, key, where);
      if (!value) return std::move(value).error();
      *target = std::move(*value);
    }
    user.client_certificate = resolve_relative(dir_, user.client_certificate);
    user.client_key = resolve_relative(dir_, user.client_key);
    user.token_file = resolve_relative(dir_, user.token_file);

    auto cert_data = base64_field(body, "client-certificate-data", where);
    if (!cert_data) return std::move(cert_data).error();
    user.client_certificate_data = std::move(*cert_data);
    auto key_data = base64_field(body, "client-key-data", where);
    if (!key_data) return std::move(key_data).error();
    user.client_key_data = std::move(*key_data);
    auto groups = strings(body, "as-groups", where);
    if (!groups) return std::move(groups).error();
    user.impersonate_groups = std::move(*groups);

    const YAML::Node auth_provider = body["auth-provider"];
    if (auth_provider && !auth_provider.IsNull()) {
      user.has_auth_provider = true;
      if (auth_provider.IsMap()) {
        auto provider_name = text(auth_provider, "name", "auth-provider of " + where);
        if (!provider_name) return std::move(provider_name).error();
        user.auth_provider_name = std::move(*provider_name);
      }
    }

    const YAML::Node exec = body["exec"];
    if (exec && !exec.IsNull()) {
      if (!exec.IsMap()) return fail(exec.Mark(), "exec of " + where + " must be a mapping");
      auto parsed = parse_exec(exec, "exec of " + where);
      if (!parsed) return std::move(parsed).error();
      user.exec = std::move(*parsed);
    }
    return user;
  }

  Result<ExecConfig> parse_exec(const YAML::Node& body, const std::string& where) const {
    ExecConfig exec;
    const std::pair<const char*, std::string*> string_fields[] = {
        {"apiVersion", &exec.api_version},
        {"command", &exec.command},
        {"installHint", &exec.install_hint},
        {"interactiveMode", &exec.interactive_mode},
    };
    for (const auto& [key, target] : string_fields) {
      auto value = text(body, key, where);
      if (!value) return std::move(value).error();
      *target = std::move(*value);
    }
    auto args = strings(body, "args", where);
    if (!args) return std::move(args).error();
    exec.args = std::move(*args);
    auto provide = boolean(body, "provideClusterInfo", where);
    if (!provide) return std::move(provide).error();
    exec.provide_cluster_info = *provide;

    const YAML::Node env = body["env"];
    if (env && !env.IsNull()) {
      if (!env.IsSequence()) return fail(env.Mark(), "env of " + where + " must be a list");
      for (const auto& entry : env) {
        if (!entry.IsMap())
          return fail(entry.Mark(), "entries of env of " + where + " must be {name, value}");
        auto name = text(entry, "name", "env of " + where);
        if (!name) return std::move(name).error();
        if (name->empty()) return fail(entry.Mark(), "env entry without a name in " + where);
        auto value = text(entry, "value", "env " + in_quotes(*name) + " of " + where);
        if (!value) return std::move(value).error();
        exec.env.emplace_back(std::move(*name), std::move(*value));
      }
    }
    // Like client-go: a command with a path separator is relative to the kubeconfig, a bare name is
    // looked up on PATH when the plugin runs.
    exec.base_dir = dir_;
    if (exec.command.find('/') != std::string::npos) exec.command = resolve_relative(dir_, exec.command);
    return exec;
  }

  Result<KubeconfigContext> parse_context(const std::string& name, const YAML::Node& body,
                                          const std::string& where) const {
    KubeconfigContext context;
    context.name = name;
    context.source_file = file_;
    const std::pair<const char*, std::string*> string_fields[] = {
        {"cluster", &context.cluster},
        {"user", &context.user},
        {"namespace", &context.namespace_name},
    };
    for (const auto& [key, target] : string_fields) {
      auto value = text(body, key, where);
      if (!value) return std::move(value).error();
      *target = std::move(*value);
    }
    return context;
  }

  std::string file_;
  std::string dir_;
};

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
  std::string label = "user " + in_quotes(user.name);
  if (!user.source_file.empty()) label += " in " + user.source_file;
  return label;
}

Status validate_exec(ExecConfig& exec, const KubeconfigUser& user) {
  const std::string label = user_label(user);
  if (exec.command.empty()) return Error::config("exec plugin of " + label + " has no command");
  if (exec.api_version.empty())
    return Error::config("exec plugin of " + label + " has no apiVersion (use " + std::string(kExecApiV1) +
                         ")");
  if (exec.api_version != kExecApiV1 && exec.api_version != kExecApiV1beta1)
    return Error::config("exec plugin of " + label + ": invalid apiVersion " + in_quotes(exec.api_version) +
                         " (supported: " + std::string(kExecApiV1) + ", " + std::string(kExecApiV1beta1) +
                         ")");
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
    return Error::config("invalid interactiveMode " + in_quotes(exec.interactive_mode) + " for " + label +
                         " (Never, IfAvailable or Always)");
  return {};
}

// kubectl accepts "--server=host:6443"; client-go then picks https when any TLS setting is present.
std::string normalize_server(const std::string& server, const TlsConfig& tls, bool has_client_cert) {
  if (server.empty() || server.find("://") != std::string::npos) return server;
  const bool tls_configured = !tls.ca_pem.empty() || tls.insecure_skip_verify || has_client_cert;
  return (tls_configured ? "https://" : "http://") + server;
}

Result<RestConfig> build_rest_config(ResolvedInputs in) {
  RestConfig config;
  config.context_name = in.context_name;
  config.cluster_name = in.cluster.name;
  config.user_name = in.user.name;
  config.namespace_name = in.namespace_name.empty() ? "default" : in.namespace_name;
  config.namespace_from_flag = in.namespace_from_flag;

  const KubeconfigCluster& cluster = in.cluster;
  const std::string cluster_entity =
      cluster.name.empty() ? "the in-cluster config" : "cluster " + in_quotes(cluster.name);
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
      user.name.empty() ? "the in-cluster config" : "user " + in_quotes(user.name);
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
        user.auth_provider_name.empty() ? "" : " " + in_quotes(user.auth_provider_name);
    return Error::config(user_label(user) + " uses auth-provider" + provider +
                         ", which kubectl-dr does not support: configure an exec credential plugin instead "
                         "(e.g. gke-gcloud-auth-plugin, kubelogin, aws eks get-token)");
  }
  if (user.exec) {
    ExecConfig exec = *user.exec;
    Status valid = validate_exec(exec, user);
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
    return Error::config("cluster " + in_quotes(cluster.name) + where + " has no server");
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

Result<KubeconfigSet> parse_kubeconfig(std::string_view yaml_text, const std::string& source_file) {
  FileParser parser(source_file);
  return parser.parse(yaml_text);
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
  auto config = build_rest_config(std::move(*inputs));
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
      auto config = build_rest_config(std::move(*inputs));
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
      return Error::config("context " + in_quotes(context_name) + " not found in " + set.describe_files() +
                           " (" + context_hint(set) + ")");
    } else if (overrides.server.empty()) {
      return Error::config("current-context " + in_quotes(context_name) + " (set in " +
                           set.current_context_file + ") not found in " + set.describe_files() + " (" +
                           context_hint(set) + ")");
    }
  } else if (overrides.server.empty() && overrides.cluster.empty()) {
    if (set.empty()) return no_kubeconfig_error(set, env);
    return Error::config("no current-context is set in " + set.describe_files() +
                         " and no --context was given (" + context_hint(set) + ")");
  }

  const std::string context_label =
      inputs.context_name.empty() ? "" : " (used by context " + in_quotes(inputs.context_name) + ")";
  const std::string cluster_name = overrides.cluster.empty() ? context.cluster : overrides.cluster;
  if (!cluster_name.empty()) {
    auto it = set.clusters.find(cluster_name);
    if (it == set.clusters.end())
      return Error::config("cluster " + in_quotes(cluster_name) +
                           (overrides.cluster.empty() ? context_label : "") + " not found in " +
                           set.describe_files());
    inputs.cluster = it->second;
  } else if (overrides.server.empty()) {
    return Error::config("context " + in_quotes(inputs.context_name) + " in " + context.source_file +
                         " names no cluster: add one or pass --server");
  }

  const std::string user_name = overrides.user.empty() ? context.user : overrides.user;
  if (!user_name.empty()) {
    auto it = set.users.find(user_name);
    if (it == set.users.end())
      return Error::config("user " + in_quotes(user_name) + (overrides.user.empty() ? context_label : "") +
                           " not found in " + set.describe_files());
    inputs.user = it->second;
  }

  inputs.namespace_name = context.namespace_name;
  apply_overrides(overrides, inputs);
  return build_rest_config(std::move(inputs));
}

Result<RestConfig> load_rest_config(const ConfigOverrides& overrides) {
  return load_rest_config(overrides, Environment::process());
}

}  // namespace dr::kube
