// Errors as values. Every fallible function in common/ returns Result<T>; the plugins turn the
// Error into one kubectl-style line at the edge (Error::kubectl_line).
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

#include "dr/core/log.hpp"

namespace dr {

enum class ErrorCode {
  Usage,      // bad flags or arguments: the user can fix the command line
  Config,     // kubeconfig / in-cluster config problems
  Auth,       // credentials could not be obtained (exec plugin failed, token file unreadable)
  Transport,  // connection refused, DNS, TLS handshake, dropped connection
  Timeout,    // --request-timeout or --timeout expired
  Server,     // the API server answered with a Status (see http_status / reason)
  Decode,     // a response or input document did not have the expected shape
  NotServed,  // the server does not serve a resource type (e.g. Stork not installed)
  NotFound,   // a named thing is not there, by the client's own lookup (not a server Status)
  Cancelled,  // SIGINT/SIGTERM
  Internal,
};

struct Error {
  ErrorCode code = ErrorCode::Internal;
  std::string message;  // what went wrong, without a leading "error: "
  int http_status = 0;  // ErrorCode::Server: the HTTP status code
  std::string reason;   // ErrorCode::Server: Status.reason (NotFound, Conflict, Forbidden, ...)
  std::string context;  // what was being done, outermost first ("loading kubeconfig /x: ...")
  // Transport/Timeout: the request never left this client (no connection could be made, or its
  // TLS handshake never finished), so nothing was applied and the next request will most likely
  // meet the same fate. False when the connection broke or timed out after the request was sent.
  bool unreachable = false;

  static Error make(ErrorCode code, std::string message) {
    Error e;
    e.code = code;
    e.message = std::move(message);
    return e;
  }
  static Error usage(std::string message) { return make(ErrorCode::Usage, std::move(message)); }
  static Error config(std::string message) { return make(ErrorCode::Config, std::move(message)); }
  static Error server(int http_status, std::string reason, std::string message) {
    Error e = make(ErrorCode::Server, std::move(message));
    e.http_status = http_status;
    e.reason = std::move(reason);
    return e;
  }

  // Adds what the caller was doing: "reading /x" + "no such file" -> "reading /x: no such file".
  Error&& wrap(std::string what) && {
    context = context.empty() ? std::move(what) : std::move(what) + ": " + context;
    return std::move(*this);
  }

  bool is_server(int status) const { return code == ErrorCode::Server && http_status == status; }
  bool is_not_found() const { return is_server(404); }
  bool is_conflict() const { return is_server(409); }
  bool is_forbidden() const { return is_server(403); }

  // The message with its context, no prefix. Every credential the process holds is masked
  // (log::redact): a server or proxy may echo a token back in its answer, and this text reaches
  // stderr and -o json reports as it is.
  std::string describe() const { return log::redact(context.empty() ? message : context + ": " + message); }

  // The line kubectl would print: "Error from server (NotFound): ..." for Status errors but
  // Unauthorized, which kubectl words "error: You must be logged in to the server (...)";
  // "error: ..." for everything else. Masked as describe() is.
  std::string kubectl_line() const { return log::redact(unmasked_line()); }

 private:
  std::string unmasked_line() const {
    if (code == ErrorCode::Server && reason == "Unauthorized") {
      std::string line = "You must be logged in to the server (" + message + ")";
      return "error: " + (context.empty() ? line : context + ": " + line);
    }
    if (code == ErrorCode::Server) {
      std::string line = "Error from server";
      if (!reason.empty()) line += " (" + reason + ")";
      line += ": " + message;
      if (!context.empty()) line = "error: " + context + ": " + line;
      return line;
    }
    return "error: " + describe();
  }
};

// A value or an Error. Small on purpose: has_value/value/error, and bool conversion.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::in_place_index<0>, std::move(value)) {}      // NOLINT: implicit on purpose
  Result(Error error) : data_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool has_value() const { return data_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & {
    assert(has_value());
    return std::get<0>(data_);
  }
  const T& value() const& {
    assert(has_value());
    return std::get<0>(data_);
  }
  T&& value() && {
    assert(has_value());
    return std::get<0>(std::move(data_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  Error& error() & {
    assert(!has_value());
    return std::get<1>(data_);
  }
  const Error& error() const& {
    assert(!has_value());
    return std::get<1>(data_);
  }
  Error&& error() && {
    assert(!has_value());
    return std::get<1>(std::move(data_));
  }

 private:
  std::variant<T, Error> data_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), failed_(true) {}  // NOLINT: implicit on purpose

  bool has_value() const { return !failed_; }
  explicit operator bool() const { return !failed_; }
  Error& error() & {
    assert(failed_);
    return error_;
  }
  const Error& error() const& {
    assert(failed_);
    return error_;
  }
  Error&& error() && {
    assert(failed_);
    return std::move(error_);
  }

 private:
  Error error_;
  bool failed_ = false;
};

}  // namespace dr

// Propagating an Error. C++ has no `?` operator and GNU statement expressions are not portable, so
// these are statements (several: never the unbraced body of an if or a loop):
//
//   DR_TRY(validate(x));                          // a failed Result<T> or Result<void> is returned
//   DR_TRY_ASSIGN(auto config, load(path));       // declares `config` from a successful Result<T>
//   DR_TRY_ASSIGN(cluster.server, text(body, k)); // or moves the value into an existing variable
//
// The enclosing function returns Result<U> or Result<void> (an Error converts to either).
#define DR_TRY(expression)                                                                             \
  do {                                                                                                 \
    if (auto dr_try_result_ = (expression); !dr_try_result_) return std::move(dr_try_result_).error(); \
  } while (false)

#define DR_TRY_ASSIGN(target, expression) \
  DR_TRY_ASSIGN_WITH_(DR_TRY_CONCAT_(dr_try_result_, __LINE__), target, expression)

#define DR_TRY_CONCAT_INNER_(a, b) a##b
#define DR_TRY_CONCAT_(a, b) DR_TRY_CONCAT_INNER_(a, b)
// `target` may be a declaration (auto x): it cannot be parenthesised, nor the names made from it.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define DR_TRY_ASSIGN_WITH_(temporary, target, expression) \
  auto temporary = (expression);                           \
  if (!temporary) return std::move(temporary).error();     \
  target = std::move(temporary).value()
// NOLINTEND(bugprone-macro-parentheses)
