// A throwaway PKI for one emulator run: a CA, a server certificate for 127.0.0.1/localhost, and
// an admin client certificate (CN=admin, O=system:masters), all PEM.
#pragma once

#include <string>

namespace emu {

struct Pki {
  std::string ca_cert;
  std::string server_cert;
  std::string server_key;
  std::string admin_cert;
  std::string admin_key;
};

// Throws std::runtime_error when OpenSSL fails (only at start-up).
Pki generate_pki();

std::string base64(const std::string& data);

}  // namespace emu
