// An exec plugin's stdout as the credential provider decodes it. The first byte picks the API
// version the kubeconfig asked for, so mismatches are exercised too.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "dr/kube/credentials.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  dr::kube::ExecConfig exec;
  exec.command = "fuzz-plugin";
  exec.api_version =
      (data[0] & 1) ? "client.authentication.k8s.io/v1" : "client.authentication.k8s.io/v1beta1";
  const std::string_view output(reinterpret_cast<const char*>(data + 1), size - 1);
  auto decoded = dr::kube::decode_exec_credential(output, exec);
  if (!decoded) {
    dr::fuzz::check_error(decoded.error());
    dr::fuzz::require(decoded.error().code == dr::ErrorCode::Auth, "exec decoding errors are Auth errors");
    return 0;
  }
  const auto& creds = decoded->credentials;
  dr::fuzz::require(!creds.bearer_token.empty() || !creds.client_cert_pem.empty(),
                    "a decoded credential has a token or a certificate");
  dr::fuzz::require(creds.client_cert_pem.empty() == creds.client_key_pem.empty(),
                    "certificate and key come together");
  return 0;
}
