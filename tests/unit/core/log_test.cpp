// Logging at kubectl's -v levels, and redaction: secrets never reach a log line.
#include <catch2/catch.hpp>

#include "dr/core/log.hpp"
#include "dr/kube/api_client.hpp"
#include "support/wire_test_server.hpp"

using namespace std::chrono_literals;
using wiretest::Reply;
using wiretest::Request;
using wiretest::ScriptedServer;

namespace {

// Captures log lines for the duration of a test and restores verbosity and stderr afterwards.
class CapturedLog {
 public:
  explicit CapturedLog(int level) : previous_(dr::log::verbosity()) {
    dr::log::set_verbosity(level);
    dr::log::set_sink([this](std::string_view line) { text_ += line; });
  }
  ~CapturedLog() {
    dr::log::set_sink(nullptr);
    dr::log::set_verbosity(previous_);
  }
  const std::string& text() const { return text_; }

 private:
  int previous_;
  std::string text_;
};

}  // namespace

TEST_CASE("redact masks registered secrets and Authorization values", "[log]") {
  dr::log::register_secret("s3cr3t-token-value");
  auto text = dr::log::redact("GET /api with s3cr3t-token-value\nAuthorization: Bearer s3cr3t-token-value\n");
  CHECK(text.find("s3cr3t") == std::string::npos);
  CHECK(text == "GET /api with <masked>\nAuthorization: Bearer <masked>\n");
  // Authorization values are masked even when nobody registered them, whatever the header's case.
  CHECK(dr::log::redact("Authorization: Basic dXNlcjpwYXNz") == "Authorization: Basic <masked>");
  CHECK(dr::log::redact("authorization: Bearer abc\r\nAccept: */*") ==
        "authorization: Bearer <masked>\r\nAccept: */*");
  CHECK(dr::log::redact("Proxy-Authorization: Basic eA==") == "Proxy-Authorization: Basic <masked>");
  CHECK(dr::log::redact("Authorization: opaque") == "Authorization: <masked>");
  // Every occurrence, several secrets, secrets inside JSON.
  dr::log::register_secret("another-password-42");
  CHECK(
      dr::log::redact(
          R"({"password":"another-password-42","token":"s3cr3t-token-value","again":"another-password-42"})") ==
      R"({"password":"<masked>","token":"<masked>","again":"<masked>"})");
  // Short strings are not registered (they would mask innocent text).
  dr::log::register_secret("abc");
  CHECK(dr::log::redact("abc") == "abc");
  CHECK(dr::log::redact("nothing to hide") == "nothing to hide");
}

TEST_CASE("truncated bodies never keep part of a secret", "[log]") {
  const std::string secret = "PEM-KEY-MATERIAL-0123456789abcdef";
  dr::log::register_secret(secret);
  for (std::size_t offset = 0; offset < secret.size() + 2; ++offset) {
    std::string body(100 - offset, 'x');
    body += secret;
    body += std::string(50, 'y');
    auto out = dr::log::redact_truncated(body, 100);
    INFO("offset " << offset << ": " << out);
    for (std::size_t length = 6; length <= secret.size(); ++length) {
      CHECK(out.find(secret.substr(0, length)) == std::string::npos);
    }
    CHECK_THAT(out, Catch::Contains("[truncated "));
  }
  CHECK(dr::log::redact_truncated("short", 100) == "short");
  auto big = dr::log::redact_truncated(std::string(20000, 'z'));
  CHECK(big.size() < dr::log::kBodyLimit + 40);
  CHECK_THAT(big, Catch::EndsWith("[truncated 9760 bytes]"));
}

TEST_CASE("log lines carry a klog-style prefix and respect the verbosity", "[log]") {
  {
    CapturedLog log(6);
    dr::log::line(6, "shown");
    dr::log::line(7, "hidden");
    CHECK(dr::log::enabled(6));
    CHECK_FALSE(dr::log::enabled(7));
    CHECK(log.text().find("hidden") == std::string::npos);
    // "I1124 06:12:01.123456    1234 kubectl-dr] shown"
    const auto& text = log.text();
    REQUIRE(text.size() > 30);
    CHECK(text[0] == 'I');
    CHECK(text[5] == ' ');
    CHECK(text[8] == ':');
    CHECK(text[14] == '.');
    CHECK_THAT(text, Catch::EndsWith(" kubectl-dr] shown\n"));
  }
  CapturedLog quiet(0);
  dr::log::line(1, "nothing");
  CHECK(quiet.text().empty());
}

TEST_CASE("log: -v=6, 7 and 8 describe requests without ever printing the token", "[log]") {
  const std::string token = "eyJhbGciOiJSUzI1NiJ9.very-secret-bearer-token";
  ScriptedServer server([&](const Request&) {
    // A careless server echoing the token in its body: still masked.
    return Reply::json(200, R"({"kind":"Secret","data":{"token":")" + token + R"("}})");
  });
  struct Token : dr::kube::AuthProvider {
    std::string value;
    dr::Result<dr::kube::Credentials> current() override {
      dr::kube::Credentials credentials;
      credentials.bearer_token = value;
      return credentials;
    }
    bool invalidate() override { return false; }
  };
  auto auth = std::make_shared<Token>();
  auth->value = token;
  dr::kube::ApiClient client(wiretest::config_for(server.url()), auth, wiretest::fast_retries());

  SECTION("-v=6: one line per request") {
    CapturedLog log(6);
    REQUIRE(client.get(dr::kube::types::pods, "ns", "p"));
    CHECK_THAT(log.text(),
               Catch::Contains("GET " + server.url() + "/api/v1/namespaces/ns/pods/p 200 OK in "));
    CHECK_THAT(log.text(), Catch::Contains(" milliseconds\n"));
    CHECK(std::count(log.text().begin(), log.text().end(), '\n') == 1);
    CHECK(log.text().find("very-secret") == std::string::npos);
  }
  SECTION("-v=7: request headers, Authorization masked") {
    CapturedLog log(7);
    REQUIRE(client.get(dr::kube::types::pods, "ns", "p"));
    CHECK_THAT(log.text(), Catch::Contains("Request Headers:"));
    CHECK_THAT(log.text(), Catch::Contains("Authorization: Bearer <masked>"));
    CHECK_THAT(log.text(), Catch::Contains("Accept: application/json"));
    CHECK(log.text().find("very-secret") == std::string::npos);
    CHECK(log.text().find("Response Body") == std::string::npos);
  }
  SECTION("-v=8: bodies too, secrets masked in them") {
    CapturedLog log(8);
    rapidjson::Document object;
    object.Parse(
        R"({"metadata":{"name":"c"},"data":{"copy":"eyJhbGciOiJSUzI1NiJ9.very-secret-bearer-token"}})");
    REQUIRE(client.create(dr::kube::types::configmaps, "ns", object));
    CHECK_THAT(log.text(), Catch::Contains("Request Body: "));
    CHECK_THAT(log.text(), Catch::Contains("Response Body: "));
    CHECK_THAT(log.text(), Catch::Contains(R"("token":"<masked>")"));
    CHECK(log.text().find("very-secret") == std::string::npos);
    CHECK(log.text().find("eyJhbGciOiJSUzI1NiJ9") == std::string::npos);
  }
}

TEST_CASE("retries are logged at -v=6", "[log]") {
  std::atomic<int> calls{0};
  ScriptedServer server([&](const Request&) { return ++calls == 1 ? Reply::json(503, "{}") : Reply{}; });
  dr::kube::Transport transport(wiretest::config_for(server.url()), nullptr, wiretest::fast_retries());
  CapturedLog log(6);
  dr::kube::HttpRequest request;
  request.path_and_query = "/x";
  request.retry_safe = true;
  REQUIRE(transport.perform(request));
  CHECK_THAT(log.text(), Catch::Contains("GET " + server.url() + "/x 503 Service Unavailable in "));
  CHECK_THAT(log.text(), Catch::Contains("/x 503 Service Unavailable: retrying in "));
  CHECK_THAT(log.text(), Catch::Contains("GET " + server.url() + "/x 200 OK in "));
}

TEST_CASE("error lines and descriptions mask every credential a server echoes back", "[log]") {
  // Issue 25 item 6: -v=9 masked the token, the error line printed it.
  const std::string token = "echoed-bearer-token-4f1c2a";
  dr::log::register_secret(token);
  auto unauthorized = dr::Error::server(401, "Unauthorized", "token " + token + " is not valid");
  CHECK(unauthorized.kubectl_line() ==
        "error: You must be logged in to the server (token <masked> is not valid)");
  auto forbidden = dr::Error::server(403, "Forbidden", "proxy said: Authorization: Bearer " + token);
  CHECK(forbidden.kubectl_line().find(token) == std::string::npos);
  auto transport = dr::Error::make(dr::ErrorCode::Transport, "proxy answered " + token);
  CHECK(transport.describe() == "proxy answered <masked>");
  CHECK(transport.kubectl_line() == "error: proxy answered <masked>");

  // A client key: the whole PEM, and each line of its body on its own.
  const std::string body_line = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7";
  dr::log::register_secret("-----BEGIN PRIVATE KEY-----\n" + body_line +
                           "\nAbCd\n-----END PRIVATE KEY-----\n");
  auto echoed_key =
      dr::Error::make(dr::ErrorCode::Decode, R"(bad answer: {"key":")" + body_line + R"(\nAbCd"})");
  CHECK(echoed_key.kubectl_line() == R"(error: bad answer: {"key":"<masked>\nAbCd"})");
  // The PEM armour is not a secret: innocent text stays.
  CHECK(dr::log::redact("-----BEGIN PRIVATE KEY-----") == "-----BEGIN PRIVATE KEY-----");
}
