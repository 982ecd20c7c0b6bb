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
      Status read = reread(mtime);
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
    Status read = reread(modification_time());
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

  Status reread(std::optional<FileTime> mtime) {
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

bool parse_digits(std::string_view text, std::size_t pos, std::size_t count, int& out) {
  if (pos + count > text.size()) return false;
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  out = value;
  return true;
}

}  // namespace

Result<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text) {
  using namespace std::chrono;
  const auto invalid = [&] {
    return Error::make(ErrorCode::Decode, "invalid RFC 3339 timestamp \"" + std::string(text) + "\"");
  };
  // YYYY-MM-DDTHH:MM:SS
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (text.size() < 20 || !parse_digits(text, 0, 4, year) || text[4] != '-' ||
      !parse_digits(text, 5, 2, month) || text[7] != '-' || !parse_digits(text, 8, 2, day) ||
      (text[10] != 'T' && text[10] != 't') || !parse_digits(text, 11, 2, hour) || text[13] != ':' ||
      !parse_digits(text, 14, 2, minute) || text[16] != ':' || !parse_digits(text, 17, 2, second))
    return invalid();
  const year_month_day date{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                            std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok() || hour > 23 || minute > 59 || second > 60) return invalid();

  std::size_t pos = 19;
  nanoseconds fraction{0};
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    long long value = 0;
    int digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 9) {
        value = value * 10 + (text[pos] - '0');
        ++digits;
      }
      ++pos;
    }
    if (digits == 0) return invalid();
    for (int i = digits; i < 9; ++i) value *= 10;
    fraction = nanoseconds{value};
  }
  minutes offset{0};
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int offset_hours = 0, offset_minutes = 0;
    if (!parse_digits(text, pos + 1, 2, offset_hours) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !parse_digits(text, pos + 4, 2, offset_minutes))
      return invalid();
    offset = hours{offset_hours} + minutes{offset_minutes};
    if (text[pos] == '-') offset = -offset;
    pos += 6;
  } else {
    return invalid();
  }
  if (pos != text.size()) return invalid();

  const auto local = sys_days{date} + hours{hour} + minutes{minute} + seconds{second} + fraction;
  return time_point_cast<system_clock::duration>(local - offset);
}

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
