// A tiny scripted HTTP/1.1 server on 127.0.0.1 for the transport and API client tests: one thread
// per connection, keep-alive, a handler decides each answer (status, headers, delay, dropped
// connection, chunked stream). Counts connections, requests and the most requests in progress at once.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "dr/kube/auth.hpp"
#include "dr/kube/rest_config.hpp"
#include "dr/kube/transport.hpp"

namespace wiretest {

using namespace std::chrono_literals;

struct Request {
  std::string method;
  std::string path;  // with the query
  std::string head;  // request line and headers
  std::string body;
  bool has_header(const std::string& line) const {
    return head.find("\r\n" + line + "\r\n") != std::string::npos;
  }
  int count_header(const std::string& name) const {
    int count = 0;
    for (std::size_t at = head.find("\r\n" + name + ":"); at != std::string::npos;
         at = head.find("\r\n" + name + ":", at + 1)) {
      ++count;
    }
    return count;
  }
};

struct Reply {
  int status = 200;
  std::string body = "{}";
  std::vector<std::string> headers;
  std::chrono::milliseconds delay{0};  // before answering
  bool drop = false;                   // close the connection without answering (or mid-stream)
  // Chunked streaming (watch): each piece is sent after its delay; the stream then ends.
  std::vector<std::pair<std::chrono::milliseconds, std::string>> stream;

  static Reply json(int status, std::string body) {
    Reply reply;
    reply.status = status;
    reply.body = std::move(body);
    return reply;
  }
  static Reply after(std::chrono::milliseconds wait, int status = 200, std::string body = "{}") {
    Reply reply = json(status, std::move(body));
    reply.delay = wait;
    return reply;
  }
  Reply with(std::string header) && {
    headers.push_back(std::move(header));
    return std::move(*this);
  }
  static Reply dropped() {
    Reply reply;
    reply.drop = true;
    return reply;
  }
};

class ScriptedServer {
 public:
  using Handler = std::function<Reply(const Request&)>;
  explicit ScriptedServer(Handler handler) : handler_(std::move(handler)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::listen(listener_, 256);
    socklen_t length = sizeof address;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~ScriptedServer() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    acceptor_.join();
    std::vector<std::thread> workers;
    {
      std::lock_guard lock(mutex_);
      for (int fd : open_) ::shutdown(fd, SHUT_RDWR);
      workers = std::move(workers_);
    }
    for (auto& worker : workers) worker.join();
  }
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int connections() const { return connections_.load(); }
  int requests() const { return requests_.load(); }
  int max_concurrent() const { return max_concurrent_.load(); }
  std::vector<Request> seen() const {
    std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  // Sleeps, but wakes when the server stops (so a "hanging" answer never delays the test's end).
  bool wait(std::chrono::milliseconds delay) {
    std::unique_lock lock(mutex_);
    return !wake_.wait_for(lock, delay, [this] { return stopping_; });
  }
  bool send_all(int fd, const std::string& data) {
    return ::send(fd, data.data(), data.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(data.size());
  }
  void accept_loop() {
    while (true) {
      int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) return;
      std::lock_guard lock(mutex_);
      if (stopping_) {
        ::close(fd);
        return;
      }
      ++connections_;
      open_.push_back(fd);
      workers_.emplace_back([this, fd] { serve(fd); });
    }
  }
  void serve(int fd) {
    std::string buffer;
    char chunk[16384];
    while (true) {
      std::size_t header_end;
      while ((header_end = buffer.find("\r\n\r\n")) == std::string::npos) {
        ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n <= 0) return finish(fd);
        buffer.append(chunk, static_cast<std::size_t>(n));
      }
      Request request;
      request.head = buffer.substr(0, header_end + 2);  // keeps the last header's CRLF
      std::size_t content_length = 0;
      if (auto at = request.head.find("Content-Length: "); at != std::string::npos) {
        content_length = std::stoul(request.head.substr(at + 16));
      }
      while (buffer.size() < header_end + 4 + content_length) {
        ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n <= 0) return finish(fd);
        buffer.append(chunk, static_cast<std::size_t>(n));
      }
      request.body = buffer.substr(header_end + 4, content_length);
      buffer.erase(0, header_end + 4 + content_length);
      request.method = request.head.substr(0, request.head.find(' '));
      std::size_t path_start = request.method.size() + 1;
      request.path = request.head.substr(path_start, request.head.find(' ', path_start) - path_start);
      {
        std::lock_guard lock(mutex_);
        seen_.push_back(request);
      }
      int now = ++concurrent_;
      int seen = max_concurrent_.load();
      while (now > seen && !max_concurrent_.compare_exchange_weak(seen, now)) {
      }
      ++requests_;
      Reply reply = handler_(request);
      bool alive = reply.delay.count() == 0 || wait(reply.delay);
      --concurrent_;
      if (!alive || (reply.drop && reply.stream.empty())) return finish(fd);
      std::string response = "HTTP/1.1 " + std::to_string(reply.status) + " Scripted\r\n";
      bool has_type = false;
      for (const auto& h : reply.headers) {
        if (h.rfind("Content-Type:", 0) == 0) has_type = true;
        response += h + "\r\n";
      }
      if (!has_type) response += "Content-Type: application/json\r\n";
      if (!reply.stream.empty()) {
        response += "Transfer-Encoding: chunked\r\n\r\n";
        if (!send_all(fd, response)) return finish(fd);
        for (const auto& [delay, piece] : reply.stream) {
          if (delay.count() > 0 && !wait(delay)) return finish(fd);
          char size[32];
          std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
          if (!send_all(fd, size + piece + "\r\n")) return finish(fd);
        }
        if (reply.drop) return finish(fd);  // break the stream before its end
        if (!send_all(fd, "0\r\n\r\n")) return finish(fd);
        continue;
      }
      response += "Content-Length: " + std::to_string(reply.body.size()) + "\r\n\r\n" + reply.body;
      if (!send_all(fd, response)) return finish(fd);
    }
  }
  void finish(int fd) {
    std::lock_guard lock(mutex_);
    ::close(fd);
    std::erase(open_, fd);
  }

  Handler handler_;
  int listener_ = -1;
  int port_ = 0;
  bool stopping_ = false;  // guarded by mutex_
  std::atomic<int> connections_{0};
  std::atomic<int> requests_{0};
  std::atomic<int> concurrent_{0};
  std::atomic<int> max_concurrent_{0};
  std::thread acceptor_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<int> open_;
  std::vector<std::thread> workers_;
  std::vector<Request> seen_;
};

inline dr::kube::RestConfig config_for(const std::string& url) {
  dr::kube::RestConfig config;
  config.server = url;
  return config;
}

// A GET of `path`, retry-safe unless told otherwise.
inline dr::kube::HttpRequest get(std::string path, bool retry_safe = true) {
  dr::kube::HttpRequest request;
  request.path_and_query = std::move(path);
  request.retry_safe = retry_safe;
  return request;
}

inline dr::kube::TransportOptions fast_retries(std::size_t inflight = 8) {
  dr::kube::TransportOptions options;
  options.max_inflight = inflight;
  options.retry.initial_backoff = 5ms;
  options.retry.max_backoff = 20ms;
  return options;
}

// Hands out "token-<generation>"; a 401 moves to the next generation.
class FakeAuth : public dr::kube::AuthProvider {
 public:
  explicit FakeAuth(std::string prefix = "token-") : prefix_(std::move(prefix)) {}
  dr::Result<dr::kube::Credentials> current() override {
    ++calls;
    dr::kube::Credentials credentials;
    credentials.bearer_token = prefix_ + std::to_string(generation);
    return credentials;
  }
  bool invalidate() override {
    ++invalidations;
    if (!refreshable) return false;
    ++generation;
    return true;
  }
  int generation = 1;
  int calls = 0;
  int invalidations = 0;
  bool refreshable = true;

 private:
  std::string prefix_;
};

}  // namespace wiretest
