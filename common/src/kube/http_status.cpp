#include "kube/http_status.hpp"

namespace dr::kube {

namespace {

struct HttpStatusRow {
  long code;
  std::string_view phrase;   // HTTP's reason phrase
  std::string_view reason;   // metav1.StatusReason kube-apiserver uses
  std::string_view message;  // client-go's text when the answer has no Status object
};

constexpr HttpStatusRow kHttpStatuses[] = {
    {200, "OK", "", ""},
    {201, "Created", "", ""},
    {202, "Accepted", "", ""},
    {204, "No Content", "", ""},
    {400, "Bad Request", "BadRequest", "the server rejected our request for an unknown reason"},
    {401, "Unauthorized", "Unauthorized", "Unauthorized"},
    {403, "Forbidden", "Forbidden", "Forbidden"},
    {404, "Not Found", "NotFound", "the server could not find the requested resource"},
    {405, "Method Not Allowed", "MethodNotAllowed",
     "the server does not allow this method on the requested resource"},
    {406, "Not Acceptable", "NotAcceptable",
     "the server was unable to respond with a content type that the client supports"},
    {409, "Conflict", "Conflict", "the server reported a conflict"},
    {410, "Gone", "Expired", ""},
    {413, "Request Entity Too Large", "RequestEntityTooLarge",
     "the server has rejected the request because it is too large"},
    {415, "Unsupported Media Type", "UnsupportedMediaType",
     "the server does not support the content type of this request"},
    {422, "Unprocessable Entity", "Invalid",
     "the server rejected our request due to an error in our request"},
    {429, "Too Many Requests", "TooManyRequests",
     "the server has received too many requests and has asked us to try again later"},
    {500, "Internal Server Error", "InternalError",
     "an error on the server has prevented the request from succeeding"},
    {502, "Bad Gateway", "", ""},
    {503, "Service Unavailable", "ServiceUnavailable",
     "the server is currently unable to handle the request"},
    {504, "Gateway Timeout", "Timeout",
     "the server was unable to return a response in the time allotted, but may still be processing the "
     "request"},
};

const HttpStatusRow* row_for(long code) {
  for (const auto& row : kHttpStatuses) {
    if (row.code == code) return &row;
  }
  return nullptr;
}

}  // namespace

std::string_view http_reason_phrase(long code) {
  const auto* row = row_for(code);
  return row == nullptr ? std::string_view() : row->phrase;
}

std::string_view status_reason_for(long code) {
  const auto* row = row_for(code);
  return row == nullptr ? std::string_view() : row->reason;
}

std::string status_message_for(long code) {
  const auto* row = row_for(code);
  if (row != nullptr && !row->message.empty()) return std::string(row->message);
  return "the server responded with the status code " + std::to_string(code) +
         " but did not return more information";
}

}  // namespace dr::kube
