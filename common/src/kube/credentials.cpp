// Static credentials, rotating token files, and the choice between them and exec plugins.
#include "dr/kube/credentials.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <mutex>
#include <optional>
#include <utility>

namespace dr::kube {
namespace {

class StaticAuthProvider final : public AuthProvider {
 public:
  explicit StaticAuthProvider(Credentials credentials) : credentials_(std::move(credentials)) {}
  Result<Credentials> current() override { return credentials_; }
  bool invalidate() override { return false; }  // the same credentials would fail again

 private:
  Credentials credentials_;
};

// Service-account tokens are rotated by the kubelet, which rewrites the file; re-reading it when it
// changes (and after a 401, in case the change happened within the mtime resolution) picks up the
// new token without restarting.
class TokenFileAuthProvider final : public AuthProvider {
 public:
  TokenFileAuthProvider(std::string path, std::string initial_token)
      : path_(std::move(path)), token_(std::move(initial_token)) {
    if (!token_.empty()) seen_mtime_ = modification_time();
  }

  Result<Credentials> current() override {
    std::lock_guard lock(mutex_);
    const auto mtime = modification_time();
    if (token_.empty() || !mtime || mtime != seen_mtime_) {
      Result<void> read = reread(mtime);
      // A rotation in progress may briefly leave no file; the token we have is still worth trying.
      if (!read && token_.empty()) return std::move(read).error();
    }
    Credentials credentials;
    credentials.bearer_token = token_;
    return credentials;
  }

  bool invalidate() override {
    std::lock_guard lock(mutex_);
    const std::string previous = token_;
    Result<void> read = reread(modification_time());
    return read && token_ != previous;  // retrying with the token that just failed is pointless
  }

 private:
  using FileTime = std::pair<long long, long long>;  // seconds, nanoseconds

  std::optional<FileTime> modification_time() const {
    struct stat info {};
    if (::stat(path_.c_str(), &info) != 0) return std::nullopt;
    return FileTime{static_cast<long long>(info.st_mtim.tv_sec),
                    static_cast<long long>(info.st_mtim.tv_nsec)};
  }

  Result<void> reread(std::optional<FileTime> mtime) {
    std::ifstream in(path_, std::ios::binary);
    if (!in) {
      return std::move(Error::make(ErrorCode::Auth, std::strerror(errno)))
          .wrap("reading token file " + path_);
    }
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto first = content.find_first_not_of(" \t\r\n");
    const auto last = content.find_last_not_of(" \t\r\n");
    std::string token = first == std::string::npos ? "" : content.substr(first, last - first + 1);
    if (token.empty()) return Error::make(ErrorCode::Auth, "token file " + path_ + " is empty");
    token_ = std::move(token);
    seen_mtime_ = mtime;
    return {};
  }

  std::mutex mutex_;
  std::string path_;
  std::string token_;  // secret
  std::optional<FileTime> seen_mtime_;
};

}  // namespace

std::shared_ptr<AuthProvider> make_static_auth_provider(Credentials credentials) {
  return std::make_shared<StaticAuthProvider>(std::move(credentials));
}

std::shared_ptr<AuthProvider> make_token_file_auth_provider(std::string path, std::string initial_token) {
  return std::make_shared<TokenFileAuthProvider>(std::move(path), std::move(initial_token));
}

std::shared_ptr<AuthProvider> make_auth_provider(const RestConfig& config) {
  // Same precedence as client-go's transport: a bearer token (static or from a file) is sent as is
  // and an exec plugin is only consulted when there is none.
  if (!config.token_file.empty())
    return make_token_file_auth_provider(config.token_file, config.bearer_token);
  Credentials credentials;
  if (!config.bearer_token.empty()) {
    credentials.bearer_token = config.bearer_token;
    return make_static_auth_provider(std::move(credentials));
  }
  if (config.exec) return make_exec_auth_provider(config);
  credentials.username = config.username;
  credentials.password = config.password;
  return make_static_auth_provider(std::move(credentials));
}

}  // namespace dr::kube
