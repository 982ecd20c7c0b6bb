// Exec credential plugins (client.authentication.k8s.io/v1 and v1beta1): the protocol kubectl uses
// for `aws eks get-token`, `gke-gcloud-auth-plugin`, `kubelogin` and friends.
//
// The plugin's stdout carries secrets: it is parsed and dropped, never echoed, logged or put into an
// error message. Credentials are cached in memory only.
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dr/core/base64.hpp"
#include "dr/core/json.hpp"
#include "dr/core/time.hpp"
#include "dr/kube/credentials.hpp"

namespace dr::kube {
namespace {

constexpr std::size_t kMaxPluginOutput = 16 * 1024 * 1024;  // far above any real ExecCredential

Error auth_error(std::string message) {
  return Error::make(ErrorCode::Auth, std::move(message));
}

// Values from the plugin's output may be quoted in errors only when they cannot be a secret.
std::string printable_version(const rapidjson::Value* value) {
  if (value == nullptr || !value->IsString()) return "none";
  const std::string text = value->GetString();
  const bool looks_like_version =
      !text.empty() && text.size() <= 64 &&
      text.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789./") == std::string::npos;
  return looks_like_version ? text : "an unrecognised value";
}

bool is_executable_file(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// Like Go's exec.LookPath: a name with a slash is used as is, anything else is searched on our PATH.
std::optional<std::string> find_executable(const std::string& command) {
  if (command.find('/') != std::string::npos) {
    if (is_executable_file(command)) return command;
    return std::nullopt;
  }
  const char* path_env = std::getenv("PATH");
  const std::string search = path_env != nullptr ? path_env : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= search.size()) {
    std::size_t end = search.find(':', start);
    if (end == std::string::npos) end = search.size();
    std::string dir = search.substr(start, end - start);
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + command;
    if (is_executable_file(candidate)) return candidate;
    start = end + 1;
  }
  return std::nullopt;
}

// The process environment with the plugin's variables layered on top (same name = replaced).
std::vector<std::string> plugin_environment(const std::vector<std::pair<std::string, std::string>>& extra) {
  std::vector<std::string> env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) env.emplace_back(*entry);
  for (const auto& [name, value] : extra) {
    const std::string prefix = name + "=";
    std::erase_if(env, [&](const std::string& item) { return item.compare(0, prefix.size(), prefix) == 0; });
    env.push_back(prefix + value);
  }
  return env;
}

struct PluginRun {
  std::string stdout_text;  // secret
  int exit_code = 0;
  int signal = 0;
};

class Pipe {
 public:
  Pipe() {
    if (::pipe2(fds_, O_CLOEXEC) != 0) fds_[0] = fds_[1] = -1;
  }
  ~Pipe() {
    close_read();
    close_write();
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  bool ok() const { return fds_[0] >= 0; }
  int read_end() const { return fds_[0]; }
  int write_end() const { return fds_[1]; }
  void close_read() { close_fd(fds_[0]); }
  void close_write() { close_fd(fds_[1]); }

 private:
  static void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
  int fds_[2] = {-1, -1};
};

// Runs the plugin without a shell. stderr is inherited so its prompts and errors reach the user;
// stdin is inherited only for interactive runs (otherwise /dev/null, as client-go does).
Result<PluginRun> spawn_and_wait(const std::string& executable, const std::vector<std::string>& arguments,
                                 const std::vector<std::string>& environment, bool interactive) {
  Pipe output;
  if (!output.ok()) return auth_error(std::string("exec: creating a pipe: ") + std::strerror(errno));

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, output.write_end(), STDOUT_FILENO);
  if (!interactive) posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);

  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(executable.c_str()));
  for (const auto& argument : arguments) argv.push_back(const_cast<char*>(argument.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  envp.reserve(environment.size() + 1);
  for (const auto& entry : environment) envp.push_back(const_cast<char*>(entry.c_str()));
  envp.push_back(nullptr);

  pid_t pid = 0;
  const int spawn_error =
      ::posix_spawn(&pid, executable.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  output.close_write();
  if (spawn_error != 0) return auth_error("exec: starting " + executable + ": " + std::strerror(spawn_error));

  PluginRun run;
  bool too_large = false;
  char buffer[8192];
  for (;;) {
    const ssize_t got = ::read(output.read_end(), buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    if (run.stdout_text.size() + static_cast<std::size_t>(got) > kMaxPluginOutput) {
      too_large = true;  // keep draining so the plugin is not stuck on a full pipe
      continue;
    }
    run.stdout_text.append(buffer, static_cast<std::size_t>(got));
  }
  output.close_read();

  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR)
      return auth_error(std::string("exec: waiting for ") + executable + ": " + std::strerror(errno));
  }
  if (WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) run.signal = WTERMSIG(status);
  if (too_large && run.exit_code == 0 && run.signal == 0)
    return auth_error("exec: executable " + executable + " wrote more than 16 MiB to stdout");
  return run;
}

using json::member;

}  // namespace

Result<ExecCredentialOutput> decode_exec_credential(std::string_view output, const ExecConfig& exec) {
  rapidjson::Document doc;
  if (auto invalid = json::parse_untrusted(doc, output))
    return auth_error("exec: decoding the output of " + exec.command + ": invalid JSON (" + *invalid + ")");
  if (!doc.IsObject()) return auth_error("exec: the output of " + exec.command + " is not a JSON object");

  const rapidjson::Value* api_version = member(doc, "apiVersion");
  if (api_version == nullptr || !api_version->IsString() || exec.api_version != api_version->GetString())
    return auth_error("exec plugin is configured to use API version " + exec.api_version +
                      ", plugin returned version " + printable_version(api_version));
  const rapidjson::Value* kind = member(doc, "kind");
  if (kind == nullptr || !kind->IsString() || std::string_view(kind->GetString()) != "ExecCredential")
    return auth_error("exec plugin returned kind " + printable_version(kind) + ", expected ExecCredential");

  const rapidjson::Value* status = member(doc, "status");
  if (status == nullptr || !status->IsObject()) return auth_error("exec plugin didn't return a status field");

  ExecCredentialOutput parsed;
  const std::pair<const char*, std::string*> fields[] = {
      {"token", &parsed.credentials.bearer_token},
      {"clientCertificateData", &parsed.credentials.client_cert_pem},
      {"clientKeyData", &parsed.credentials.client_key_pem},
  };
  for (const auto& [name, target] : fields) {
    const rapidjson::Value* value = member(*status, name);
    if (value == nullptr || value->IsNull()) continue;
    if (!value->IsString())
      return auth_error(std::string("exec plugin returned a non-string status.") + name);
    target->assign(value->GetString(), value->GetStringLength());
  }
  const Credentials& creds = parsed.credentials;
  if (creds.client_cert_pem.empty() != creds.client_key_pem.empty())
    return auth_error("exec plugin returned only certificate or key, not both");
  if (creds.bearer_token.empty() && creds.client_cert_pem.empty())
    return auth_error("exec plugin didn't return a token or cert/key pair");

  const rapidjson::Value* expiry = member(*status, "expirationTimestamp");
  if (expiry != nullptr && !expiry->IsNull()) {
    if (!expiry->IsString())
      return auth_error("exec plugin returned a non-string status.expirationTimestamp");
    auto when = dr::parse_rfc3339(expiry->GetString());
    if (!when) return auth_error("exec plugin returned an invalid status.expirationTimestamp (not RFC 3339)");
    parsed.expiry = std::chrono::time_point_cast<std::chrono::system_clock::duration>(*when);
  }
  return parsed;
}

namespace {

class ExecAuthProvider final : public AuthProvider {
 public:
  ExecAuthProvider(const RestConfig& config, ExecProviderOptions options)
      : exec_(config.exec.value_or(ExecConfig{})), options_(std::move(options)) {
    cluster_.server = config.server;
    cluster_.tls = config.tls;
    cluster_.tls.client_key_pem.clear();  // not needed here; keep fewer copies of a secret around
    cluster_.proxy_url = config.proxy_url;
    cluster_.disable_compression = config.disable_compression;
    if (!options_.stdin_is_terminal) options_.stdin_is_terminal = [] { return ::isatty(STDIN_FILENO) == 1; };
    if (!options_.now) options_.now = [] { return std::chrono::system_clock::now(); };
  }

  Result<Credentials> current() override {
    std::lock_guard lock(mutex_);
    // client-go semantics: no expiry = good for the life of the process; else until it passes.
    if (cached_ && !(expiry_ && options_.now() > *expiry_)) return *cached_;
    auto parsed = run_plugin();
    if (!parsed) return std::move(parsed).error().wrap("getting credentials");
    cached_ = std::move(parsed->credentials);
    expiry_ = parsed->expiry;
    state_ = state_ == State::AwaitingRefreshAfter401 ? State::RefreshedAfter401 : State::Normal;
    return *cached_;
  }

  // One retry per 401: the first drops the cache (the next current() re-runs the plugin); a 401 for
  // credentials that were themselves fetched after a 401 means re-running will not help, so that
  // returns false (and still drops them, so a later request starts afresh). Concurrent 401s for the
  // same stale credentials all get true while the refresh is pending.
  bool invalidate() override {
    std::lock_guard lock(mutex_);
    switch (state_) {
      case State::Normal:
        cached_.reset();
        state_ = State::AwaitingRefreshAfter401;
        return true;
      case State::AwaitingRefreshAfter401:
        return true;
      case State::RefreshedAfter401:
        cached_.reset();
        state_ = State::Normal;
        return false;
    }
    return false;
  }

 private:
  enum class State { Normal, AwaitingRefreshAfter401, RefreshedAfter401 };

  Result<bool> interactive() const {
    if (exec_.interactive_mode == "Never") return false;
    const bool terminal = options_.stdin_is_terminal();
    if (exec_.interactive_mode == "Always" && !terminal)
      return auth_error("exec plugin cannot support interactive mode: standard input is not a terminal");
    return terminal;  // IfAvailable (and v1beta1's default)
  }

  // KUBERNETES_EXEC_INFO: the ExecCredential request the plugin may inspect.
  std::string exec_info(bool interactive) const {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartObject();
    writer.Key("apiVersion");
    writer.String(exec_.api_version);
    writer.Key("kind");
    writer.String("ExecCredential");
    writer.Key("spec");
    writer.StartObject();
    writer.Key("interactive");
    writer.Bool(interactive);
    if (exec_.provide_cluster_info) {
      writer.Key("cluster");
      writer.StartObject();
      writer.Key("server");
      writer.String(cluster_.server);
      if (!cluster_.tls.server_name.empty()) {
        writer.Key("tls-server-name");
        writer.String(cluster_.tls.server_name);
      }
      if (cluster_.tls.insecure_skip_verify) {
        writer.Key("insecure-skip-tls-verify");
        writer.Bool(true);
      }
      if (!cluster_.tls.ca_pem.empty()) {
        writer.Key("certificate-authority-data");
        writer.String(base64::encode(cluster_.tls.ca_pem));
      }
      if (!cluster_.proxy_url.empty()) {
        writer.Key("proxy-url");
        writer.String(cluster_.proxy_url);
      }
      if (cluster_.disable_compression) {
        writer.Key("disable-compression");
        writer.Bool(true);
      }
      writer.EndObject();
    }
    writer.EndObject();
    writer.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize());
  }

  Result<ExecCredentialOutput> run_plugin() {
    if (exec_.command.empty())
      return auth_error("exec: no command configured for the exec credential plugin");
    auto is_interactive = interactive();
    if (!is_interactive) return std::move(is_interactive).error();

    const auto executable = find_executable(exec_.command);
    if (!executable) {
      std::string message = "exec: executable " + exec_.command + " not found";
      if (!exec_.install_hint.empty()) message += "\n\n" + exec_.install_hint;
      return auth_error(std::move(message));
    }

    auto variables = exec_.env;
    variables.emplace_back("KUBERNETES_EXEC_INFO", exec_info(*is_interactive));
    auto run = spawn_and_wait(*executable, exec_.args, plugin_environment(variables), *is_interactive);
    if (!run) return std::move(run).error();
    if (run->signal != 0)
      return auth_error("exec: executable " + exec_.command + " was killed by signal " +
                        std::to_string(run->signal));
    if (run->exit_code != 0)
      return auth_error("exec: executable " + exec_.command + " failed with exit code " +
                        std::to_string(run->exit_code));
    return decode_exec_credential(run->stdout_text, exec_);
  }

  std::mutex mutex_;
  ExecConfig exec_;
  RestConfig cluster_;  // only the cluster fields, for provideClusterInfo
  ExecProviderOptions options_;
  std::optional<Credentials> cached_;  // secret, memory only
  std::optional<std::chrono::system_clock::time_point> expiry_;
  State state_ = State::Normal;
};

}  // namespace

std::shared_ptr<AuthProvider> make_exec_auth_provider(const RestConfig& config, ExecProviderOptions options) {
  return std::make_shared<ExecAuthProvider>(config, std::move(options));
}

}  // namespace dr::kube
