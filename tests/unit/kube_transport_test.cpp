// Transport behaviour against a tiny scripted HTTP/1.1 server on loopback: connection reuse,
// bounded concurrency, retries, 401 refresh, connection errors, timeouts. (TLS is covered by the
// end-to-end tests against kube-emulator.)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "dr/kube/api_client.hpp"
#include "dr/kube/transport.hpp"

using namespace std::chrono_literals;

namespace {

struct Reply {
  Reply() = default;
  Reply(int status_code, std::string text, std::vector<std::string> extra_headers = {},
        std::chrono::milliseconds wait = 0ms, bool close_instead = false)
      : status(status_code), body(std::move(text)), headers(std::move(extra_headers)), delay(wait),
        drop(close_instead) {}
  int status = 200;
  std::string body = "{}";
  std::vector<std::string> headers;
  std::chrono::milliseconds delay{0};
  bool drop = false;  // close the connection without answering
};

// Answers each request with handler(method, path, headers); keeps connections alive.
class ScriptedServer {
 public:
  using Handler = std::function<Reply(const std::string& method, const std::string& path, const std::string& head)>;
  explicit ScriptedServer(Handler handler) : handler_(std::move(handler)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::listen(listener_, 128);
    socklen_t length = sizeof address;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~ScriptedServer() {
    stopping_ = true;
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    acceptor_.join();
    std::lock_guard lock(mutex_);
    for (int fd : open_) ::shutdown(fd, SHUT_RDWR);
    for (auto& worker : workers_) worker.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int connections() const { return connections_.load(); }
  int requests() const { return requests_.load(); }
  int max_concurrent() const { return max_concurrent_.load(); }

 private:
  void accept_loop() {
    while (!stopping_) {
      int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) return;
      ++connections_;
      std::lock_guard lock(mutex_);
      open_.push_back(fd);
      workers_.emplace_back([this, fd] { serve(fd); });
    }
  }
  void serve(int fd) {
    std::string buffer;
    char chunk[4096];
    while (true) {
      std::size_t header_end;
      while ((header_end = buffer.find("\r\n\r\n")) == std::string::npos) {
        ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n <= 0) {
          ::close(fd);
          return;
        }
        buffer.append(chunk, static_cast<std::size_t>(n));
      }
      std::string head = buffer.substr(0, header_end);
      std::size_t content_length = 0;
      if (auto at = head.find("Content-Length: "); at != std::string::npos) content_length = std::stoul(head.substr(at + 16));
      while (buffer.size() < header_end + 4 + content_length) {
        ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n <= 0) {
          ::close(fd);
          return;
        }
        buffer.append(chunk, static_cast<std::size_t>(n));
      }
      buffer.erase(0, header_end + 4 + content_length);
      std::string method = head.substr(0, head.find(' '));
      std::string path = head.substr(method.size() + 1, head.find(' ', method.size() + 1) - method.size() - 1);
      int now = ++concurrent_;
      int seen = max_concurrent_.load();
      while (now > seen && !max_concurrent_.compare_exchange_weak(seen, now)) {
      }
      ++requests_;
      Reply reply = handler_(method, path, head);
      if (reply.delay.count() > 0) std::this_thread::sleep_for(reply.delay);
      --concurrent_;
      if (reply.drop) {
        ::close(fd);
        return;
      }
      std::string response = "HTTP/1.1 " + std::to_string(reply.status) + " X\r\nContent-Type: application/json\r\n";
      for (const auto& h : reply.headers) response += h + "\r\n";
      response += "Content-Length: " + std::to_string(reply.body.size()) + "\r\n\r\n" + reply.body;
      if (::send(fd, response.data(), response.size(), MSG_NOSIGNAL) < 0) {
        ::close(fd);
        return;
      }
    }
  }

  Handler handler_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::atomic<int> requests_{0};
  std::atomic<int> concurrent_{0};
  std::atomic<int> max_concurrent_{0};
  std::thread acceptor_;
  std::mutex mutex_;
  std::vector<int> open_;
  std::vector<std::thread> workers_;
};

dr::kube::RestConfig config_for(const std::string& url) {
  dr::kube::RestConfig config;
  config.server = url;
  return config;
}

dr::kube::TransportOptions fast_retries(std::size_t inflight = 8) {
  dr::kube::TransportOptions options;
  options.max_inflight = inflight;
  options.retry.initial_backoff = 5ms;
  options.retry.max_backoff = 20ms;
  return options;
}

class FakeAuth : public dr::kube::AuthProvider {
 public:
  dr::Result<dr::kube::Credentials> current() override {
    dr::kube::Credentials credentials;
    credentials.bearer_token = "token-" + std::to_string(generation);
    return credentials;
  }
  bool invalidate() override {
    ++generation;
    return true;
  }
  int generation = 1;
};

}  // namespace

TEST_CASE("many requests share a few connections", "[transport]") {
  ScriptedServer server([](auto&&...) { return Reply{}; });
  dr::kube::Transport transport(config_for(server.url()), nullptr, fast_retries(4));
  int done = 0;
  for (int i = 0; i < 100; ++i) {
    dr::kube::HttpRequest request;
    request.path_and_query = "/api/v1/namespaces/n" + std::to_string(i);
    transport.submit(std::move(request), [&](dr::Result<dr::kube::HttpResponse> response) {
      REQUIRE(response);
      CHECK(response->status == 200);
      ++done;
    });
  }
  transport.run();
  CHECK(done == 100);
  CHECK(server.requests() == 100);
  CHECK(server.connections() <= 4);
  CHECK(server.max_concurrent() <= 4);
  CHECK(transport.stats().max_inflight_seen <= 4);
}

TEST_CASE("concurrency is bounded by max_inflight and used", "[transport]") {
  ScriptedServer server([](auto&&...) { return Reply{200, "{}", {}, 20ms}; });
  dr::kube::Transport transport(config_for(server.url()), nullptr, fast_retries(6));
  for (int i = 0; i < 30; ++i) {
    dr::kube::HttpRequest request;
    request.path_and_query = "/x";
    transport.submit(std::move(request), [](auto) {});
  }
  transport.run();
  CHECK(server.max_concurrent() <= 6);
  CHECK(server.max_concurrent() >= 2);  // not sequential
}

TEST_CASE("503 is retried for safe requests only; 429 for every request", "[transport]") {
  std::atomic<int> calls{0};
  ScriptedServer server([&](const std::string& method, const std::string&, const std::string&) {
    int n = ++calls;
    if (method == "GET" && n <= 2) return Reply{503, R"({"kind":"Status","code":503})"};
    if (method == "POST") return Reply{503, R"({"kind":"Status","code":503})"};
    if (method == "PATCH" && n % 2 == 1) return Reply{429, "{}", {"Retry-After: 0"}};
    return Reply{};
  });
  dr::kube::Transport transport(config_for(server.url()), nullptr, fast_retries());

  dr::kube::HttpRequest get;
  get.path_and_query = "/a";
  get.retry_safe = true;
  auto got = transport.perform(get);
  REQUIRE(got);
  CHECK(got->status == 200);
  CHECK(got->attempts == 3);

  calls = 0;
  dr::kube::HttpRequest post;
  post.method = "POST";
  post.path_and_query = "/b";
  post.body = "{}";
  auto posted = transport.perform(post);
  REQUIRE(posted);
  CHECK(posted->status == 503);
  CHECK(calls == 1);  // not repeated: it may have been applied

  calls = 0;
  dr::kube::HttpRequest patch;
  patch.method = "PATCH";
  patch.path_and_query = "/c";
  patch.body = "{}";
  auto patched = transport.perform(patch);
  REQUIRE(patched);
  CHECK(patched->status == 200);
  CHECK(calls == 2);
}

TEST_CASE("retries give up after max attempts and return the last answer", "[transport]") {
  ScriptedServer server([](auto&&...) { return Reply{503, R"({"kind":"Status","code":503})"}; });
  auto options = fast_retries();
  options.retry.max_attempts = 3;
  dr::kube::Transport transport(config_for(server.url()), nullptr, options);
  dr::kube::HttpRequest get;
  get.path_and_query = "/a";
  get.retry_safe = true;
  auto got = transport.perform(get);
  REQUIRE(got);
  CHECK(got->status == 503);
  CHECK(server.requests() == 3);
}

TEST_CASE("a dropped connection is retried when safe", "[transport]") {
  std::atomic<int> calls{0};
  ScriptedServer server([&](auto&&...) { return ++calls == 1 ? Reply{200, "", {}, 0ms, true} : Reply{}; });
  dr::kube::Transport transport(config_for(server.url()), nullptr, fast_retries());
  dr::kube::HttpRequest get;
  get.path_and_query = "/a";
  get.retry_safe = true;
  auto got = transport.perform(get);
  REQUIRE(got);
  CHECK(got->status == 200);
}

TEST_CASE("401 refreshes credentials once and repeats the request", "[transport]") {
  ScriptedServer server([](const std::string&, const std::string&, const std::string& head) {
    if (head.find("Authorization: Bearer token-2") != std::string::npos) return Reply{};
    return Reply{401, R"({"kind":"Status","apiVersion":"v1","status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401})"};
  });
  auto auth = std::make_shared<FakeAuth>();
  dr::kube::Transport transport(config_for(server.url()), auth, fast_retries());
  dr::kube::HttpRequest get;
  get.path_and_query = "/a";
  auto got = transport.perform(get);
  REQUIRE(got);
  CHECK(got->status == 200);
  CHECK(auth->generation == 2);
  CHECK(server.requests() == 2);
}

TEST_CASE("connection refused names the server like kubectl", "[transport]") {
  int port;
  {
    ScriptedServer server([](auto&&...) { return Reply{}; });
    port = std::stoi(server.url().substr(server.url().rfind(':') + 1));
  }
  auto options = fast_retries();
  options.retry.max_attempts = 2;
  dr::kube::Transport transport(config_for("http://127.0.0.1:" + std::to_string(port)), nullptr, options);
  dr::kube::HttpRequest get;
  get.path_and_query = "/version";
  auto got = transport.perform(get);
  REQUIRE_FALSE(got);
  CHECK(got.error().code == dr::ErrorCode::Transport);
  CHECK(got.error().message == "The connection to the server 127.0.0.1:" + std::to_string(port) +
                                   " was refused - did you specify the right host or port?");
}

TEST_CASE("a hanging server fails within the request timeout", "[transport]") {
  ScriptedServer server([](auto&&...) { return Reply{200, "{}", {}, 1500ms}; });
  auto config = config_for(server.url());
  config.request_timeout = 200ms;
  auto options = fast_retries();
  options.retry.max_attempts = 1;
  dr::kube::Transport transport(config, nullptr, options);
  dr::kube::HttpRequest get;
  get.path_and_query = "/slow";
  auto started = std::chrono::steady_clock::now();
  auto got = transport.perform(get);
  REQUIRE_FALSE(got);
  CHECK(got.error().code == dr::ErrorCode::Timeout);
  CHECK(std::chrono::steady_clock::now() - started < 1200ms);
}

TEST_CASE("cancel abandons queued work with Cancelled", "[transport]") {
  ScriptedServer server([](auto&&...) { return Reply{}; });
  dr::kube::Transport transport(config_for(server.url()), nullptr, fast_retries(1));
  int cancelled = 0;
  int completed = 0;
  for (int i = 0; i < 10; ++i) {
    dr::kube::HttpRequest request;
    request.path_and_query = "/x";
    transport.submit(std::move(request), [&](dr::Result<dr::kube::HttpResponse> response) {
      if (response) {
        ++completed;
        transport.cancel();
      } else {
        CHECK(response.error().code == dr::ErrorCode::Cancelled);
        ++cancelled;
      }
    });
  }
  transport.run();
  CHECK(completed == 1);
  CHECK(cancelled == 9);
}

TEST_CASE("paged lists follow continue tokens", "[api]") {
  ScriptedServer server([](const std::string&, const std::string& path, const std::string&) {
    if (path.find("continue=page2") != std::string::npos) {
      return Reply{200, R"({"kind":"StatefulSetList","metadata":{"resourceVersion":"9"},"items":[{"metadata":{"name":"c"}}]})"};
    }
    CHECK(path.find("limit=2") != std::string::npos);
    return Reply{200,
                 R"({"kind":"StatefulSetList","metadata":{"resourceVersion":"9","continue":"page2"},"items":[{"metadata":{"name":"a"}},{"metadata":{"name":"b"}}]})"};
  });
  dr::kube::ApiClient client(config_for(server.url()), fast_retries());
  std::vector<std::string> names;
  dr::kube::ListOptions options;
  options.page_size = 2;
  auto listed = client.list(dr::kube::types::statefulsets, "", options,
                            [&](rapidjson::Value& items, std::string_view rv) -> dr::Status {
                              CHECK(rv == "9");
                              for (auto& item : items.GetArray()) names.emplace_back(item["metadata"]["name"].GetString());
                              return {};
                            });
  REQUIRE(listed);
  CHECK(names == std::vector<std::string>{"a", "b", "c"});
  CHECK(server.requests() == 2);
}

TEST_CASE("discovery tells served from unserved, with the Stork hint", "[api]") {
  ScriptedServer server([](const std::string&, const std::string& path, const std::string&) {
    if (path == "/apis/apps/v1") {
      return Reply{200, R"({"kind":"APIResourceList","groupVersion":"apps/v1","resources":[{"name":"statefulsets","namespaced":true,"kind":"StatefulSet"},{"name":"statefulsets/scale","namespaced":true,"kind":"Scale"}]})"};
    }
    return Reply{404, R"({"kind":"Status","code":404,"reason":"NotFound","message":"the server could not find the requested resource"})"};
  });
  dr::kube::ApiClient client(config_for(server.url()), fast_retries());
  CHECK(client.discovery().serves(dr::kube::types::statefulsets).value());
  CHECK_FALSE(client.discovery().serves(dr::kube::types::deployments).value());
  auto missing = client.discovery().require(dr::kube::types::clusterdomainsstatuses);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().kubectl_line() ==
        "error: the server doesn't have a resource type \"clusterdomainsstatuses\" — is Stork installed on this cluster?");
  auto kind = client.discovery().find_kind("apps", "v1", "StatefulSet");
  REQUIRE(kind);
  REQUIRE(kind->has_value());
  CHECK((*kind)->plural == "statefulsets");
  const int before = server.requests();
  CHECK(client.discovery().serves(dr::kube::types::statefulsets).value());
  CHECK(server.requests() == before);  // cached
}
