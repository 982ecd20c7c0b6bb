// The AuthProvider implementations behind make_auth_provider (auth.hpp), exposed with their knobs
// so tests (and callers with unusual needs) can build them directly.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include "dr/core/error.hpp"
#include "dr/kube/auth.hpp"
#include "dr/kube/rest_config.hpp"

namespace dr::kube {

struct ExecProviderOptions {
  // Whether standard input is a terminal (decides spec.interactive); empty = isatty(0).
  std::function<bool()> stdin_is_terminal;
  // The clock used for expirationTimestamp; empty = std::chrono::system_clock::now.
  std::function<std::chrono::system_clock::time_point()> now;
};

// What an exec plugin's stdout said: the credentials, and when they expire (nullopt = never).
struct ExecCredentialOutput {
  Credentials credentials;
  std::optional<std::chrono::system_clock::time_point> expiry;
};

// Decodes an ExecCredential as client-go does; its apiVersion must be exec.api_version. The output
// carries secrets: errors describe its shape, never quote it.
Result<ExecCredentialOutput> decode_exec_credential(std::string_view output, const ExecConfig& exec);

// Runs `config.exec` (client.authentication.k8s.io/v1 or v1beta1) and caches what it returns.
// Expects config.exec to be set and validated (load_rest_config does that).
std::shared_ptr<AuthProvider> make_exec_auth_provider(const RestConfig& config,
                                                      ExecProviderOptions options = {});

// Bearer token read from `path`, re-read when the file's modification time changes and after a 401.
// `initial_token` is used until the file is first seen to change (client-go keeps both).
std::shared_ptr<AuthProvider> make_token_file_auth_provider(std::string path, std::string initial_token);

// Fixed credentials (token or basic auth, or nothing): invalidate() never helps.
std::shared_ptr<AuthProvider> make_static_auth_provider(Credentials credentials);

}  // namespace dr::kube
