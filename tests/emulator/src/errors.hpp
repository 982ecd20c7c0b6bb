// kube-apiserver's Status failures: StatusError, thrown by the store and the HTTP layer, and its
// constructors with the apiserver's exact wording (errors.cpp).
#pragma once

#include <exception>
#include <string>
#include <vector>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace emu {

// One entry of Status.details.causes.
struct StatusCause {
  std::string reason;  // "FieldValueInvalid", "FieldValueRequired", "FieldValueNotSupported", ...
  std::string message;
  std::string field;  // "metadata.name", "spec.replicas"
};

// A kube-apiserver Status failure. Thrown by Store and by the HTTP layer; to_json() is the body.
class StatusError : public std::exception {
 public:
  StatusError(int code, std::string reason, std::string message);

  int code = 500;
  std::string reason;  // "NotFound", "AlreadyExists", "Conflict", "Invalid", "BadRequest", ...
  std::string message;
  // details: omitted from the body when all are empty.
  std::string name;
  std::string group;
  std::string kind;  // resource plural for NotFound/AlreadyExists/Conflict, Kind for Invalid
  std::vector<StatusCause> causes;
  int retry_after_seconds = 0;  // details.retryAfterSeconds (and the Retry-After header) when > 0
  bool has_details = false;     // emit "details":{} even when every detail is empty
  std::string continue_token;   // Status.metadata.continue (410 on an expired continue token)

  const char* what() const noexcept override { return message.c_str(); }
  std::string to_json() const;
};

// Opens a Status object: kind, apiVersion and metadata (with `continue_token` when set). The caller
// writes status, message, reason and details, and closes it.
void begin_status(rapidjson::Writer<rapidjson::StringBuffer>& w, const std::string& continue_token = {});

struct ResourceType;

// Constructors with the apiserver's exact wording. `qualified` is "statefulsets.apps" / "pods".
namespace errors {
StatusError not_found(const ResourceType& type, const std::string& name);       // 404
StatusError already_exists(const ResourceType& type, const std::string& name);  // 409
StatusError conflict(const ResourceType& type,
                     const std::string& name);  // 409 "the object has been modified..."
StatusError conflict_message(const ResourceType& type, const std::string& name,
                             const std::string& why);  // 409
StatusError invalid(const ResourceType& type, const std::string& name,
                    std::vector<StatusCause> causes);            // 422
StatusError bad_request(const std::string& message);             // 400
StatusError forbidden(const std::string& message);               // 403 (full message)
StatusError unauthorized();                                      // 401
StatusError method_not_allowed(const std::string& message);      // 405
StatusError unsupported_media_type(const std::string& message);  // 415
StatusError expired(const std::string& message);                 // 410 reason Expired
StatusError gone(const std::string& message);                    // 410 reason Gone
StatusError too_many_requests(int retry_after_seconds);          // 429
StatusError internal(const std::string& message);                // 500
StatusError service_unavailable(const std::string& message);     // 503
StatusError path_not_found();  // 404 "the server could not find the requested resource", details {}
}  // namespace errors

}  // namespace emu
