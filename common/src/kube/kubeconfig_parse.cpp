// Parsing one kubeconfig file into its clusters, users and contexts, with messages that name the
// file and line of whatever is wrong, and never echo a secret.
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <utility>

#include "dr/core/base64.hpp"
#include "dr/core/strings.hpp"
#include "dr/kube/kubeconfig.hpp"
#include "kube/kubeconfig_yaml.hpp"

namespace dr::kube {
namespace {

namespace fs = std::filesystem;

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

  Result<std::vector<std::string>> string_list(const YAML::Node& parent, const char* key,
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
    DR_TRY_ASSIGN(const std::string encoded, text(parent, key, where));
    if (encoded.empty()) return std::string();
    auto decoded = base64::decode(encoded);
    if (!decoded) return fail(parent[key].Mark(), std::string(key) + " of " + where + " is not valid base64");
    return std::move(*decoded);
  }

  // Walks a `clusters:`/`users:`/`contexts:` list, calling `each(name, body, where)` per entry.
  template <class Each>
  Result<void> named_list(const YAML::Node& root, const char* list_key, const char* body_key,
                          const char* singular, Each&& each) const {
    const YAML::Node list = root[list_key];
    if (!list || list.IsNull()) return {};
    if (!list.IsSequence())
      return fail(list.Mark(), std::string(list_key) + " must be a list, not " + kind_of(list));
    for (const auto& entry : list) {
      if (!entry.IsMap())
        return fail(entry.Mark(), std::string("entries of ") + list_key + " must be mappings");
      DR_TRY_ASSIGN(const std::string name, text(entry, "name", std::string(singular) + " entry"));
      if (name.empty()) return fail(entry.Mark(), std::string(singular) + " entry without a name");
      const std::string where = std::string(singular) + " " + strings::quoted(name);
      const YAML::Node body = entry[body_key];
      if (body && !body.IsNull() && !body.IsMap())
        return fail(body.Mark(), std::string(body_key) + " of " + where + " must be a mapping");
      DR_TRY(each(name, body && body.IsMap() ? body : YAML::Node(YAML::NodeType::Map), where));
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

    DR_TRY_ASSIGN(set.current_context, text(root, "current-context", "the kubeconfig"));
    if (!set.current_context.empty()) set.current_context_file = file_;

    // Each entry goes into `entries` under its name; the first definition of a name wins.
    auto into = [](auto& entries, auto parse) {
      return [&entries, parse](const std::string& name, const YAML::Node& body,
                               const std::string& where) -> Result<void> {
        DR_TRY_ASSIGN(auto entry, parse(name, body, where));
        entries.try_emplace(name, std::move(entry));
        return {};
      };
    };
    DR_TRY(named_list(root, "clusters", "cluster", "cluster",
                      into(set.clusters, [this](const auto&... entry) { return parse_cluster(entry...); })));
    DR_TRY(named_list(root, "users", "user", "user",
                      into(set.users, [this](const auto&... entry) { return parse_user(entry...); })));
    DR_TRY(named_list(root, "contexts", "context", "context",
                      into(set.contexts, [this](const auto&... entry) { return parse_context(entry...); })));
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
      DR_TRY_ASSIGN(*target, text(body, key, where));
    }
    cluster.certificate_authority = resolve_relative(dir_, cluster.certificate_authority);
    DR_TRY_ASSIGN(cluster.certificate_authority_data,
                  base64_field(body, "certificate-authority-data", where));
    DR_TRY_ASSIGN(cluster.insecure_skip_tls_verify, boolean(body, "insecure-skip-tls-verify", where));
    DR_TRY_ASSIGN(cluster.disable_compression, boolean(body, "disable-compression", where));
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
      DR_TRY_ASSIGN(*target, text(body, key, where));
    }
    user.client_certificate = resolve_relative(dir_, user.client_certificate);
    user.client_key = resolve_relative(dir_, user.client_key);
    user.token_file = resolve_relative(dir_, user.token_file);

    DR_TRY_ASSIGN(user.client_certificate_data, base64_field(body, "client-certificate-data", where));
    DR_TRY_ASSIGN(user.client_key_data, base64_field(body, "client-key-data", where));
    DR_TRY_ASSIGN(user.impersonate_groups, string_list(body, "as-groups", where));

    const YAML::Node auth_provider = body["auth-provider"];
    if (auth_provider && !auth_provider.IsNull()) {
      user.has_auth_provider = true;
      if (auth_provider.IsMap()) {
        DR_TRY_ASSIGN(user.auth_provider_name, text(auth_provider, "name", "auth-provider of " + where));
      }
    }

    const YAML::Node exec = body["exec"];
    if (exec && !exec.IsNull()) {
      if (!exec.IsMap()) return fail(exec.Mark(), "exec of " + where + " must be a mapping");
      DR_TRY_ASSIGN(user.exec, parse_exec(exec, "exec of " + where));
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
      DR_TRY_ASSIGN(*target, text(body, key, where));
    }
    DR_TRY_ASSIGN(exec.args, string_list(body, "args", where));
    DR_TRY_ASSIGN(exec.provide_cluster_info, boolean(body, "provideClusterInfo", where));

    const YAML::Node env = body["env"];
    if (env && !env.IsNull()) {
      if (!env.IsSequence()) return fail(env.Mark(), "env of " + where + " must be a list");
      for (const auto& entry : env) {
        if (!entry.IsMap())
          return fail(entry.Mark(), "entries of env of " + where + " must be {name, value}");
        DR_TRY_ASSIGN(std::string name, text(entry, "name", "env of " + where));
        if (name.empty()) return fail(entry.Mark(), "env entry without a name in " + where);
        DR_TRY_ASSIGN(std::string value,
                      text(entry, "value", "env " + strings::quoted(name) + " of " + where));
        exec.env.emplace_back(std::move(name), std::move(value));
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
      DR_TRY_ASSIGN(*target, text(body, key, where));
    }
    return context;
  }

  std::string file_;
  std::string dir_;
};

}  // namespace

Result<KubeconfigSet> parse_kubeconfig(std::string_view yaml_text, const std::string& source_file) {
  FileParser parser(source_file);
  return parser.parse(yaml_text);
}

}  // namespace dr::kube
