// Credentials as the transport sees them: something that yields the current credentials and can be
// told that the server answered 401 (exec plugins re-run once then).
#pragma once

#include <memory>
#include <string>

#include "dr/core/error.hpp"
#include "dr/kube/rest_config.hpp"

namespace dr::kube {

struct Credentials {
  std::string bearer_token;  // "Authorization: Bearer ..." when non-empty
  std::string username;      // basic auth when non-empty
  std::string password;
  std::string client_cert_pem;  // overrides RestConfig.tls client cert when non-empty (exec output)
  std::string client_key_pem;
};

class AuthProvider {
 public:
  virtual ~AuthProvider() = default;
  // The credentials to use for the next request (may run an exec plugin, read a token file).
  virtual Result<Credentials> current() = 0;
  // The server answered 401 to a request made with `current()`. Returns true when fresh credentials
  // may now be available (exec plugin: cache dropped; token file: re-read), so the request is worth
  // repeating once.
  virtual bool invalidate() = 0;
};

// Builds the provider for a RestConfig: static token/basic/cert, tokenFile, or exec plugin.
std::shared_ptr<AuthProvider> make_auth_provider(const RestConfig& config);

}  // namespace dr::kube
