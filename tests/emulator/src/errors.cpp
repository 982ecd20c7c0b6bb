// Status errors with kube-apiserver's wording (k8s.io/apimachinery/pkg/api/errors).
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

#include "errors.hpp"
#include "json.hpp"
#include "types.hpp"

namespace emu {

StatusError::StatusError(int c, std::string r, std::string m)
    : code(c), reason(std::move(r)), message(std::move(m)) {}

void begin_status(rapidjson::Writer<rapidjson::StringBuffer>& w, const std::string& continue_token) {
  w.StartObject();
  w.Key("kind");
  w.String("Status");
  w.Key("apiVersion");
  w.String("v1");
  w.Key("metadata");
  w.StartObject();
  if (!continue_token.empty()) {
    w.Key("continue");
    w.String(continue_token);
  }
  w.EndObject();
}

std::string StatusError::to_json() const {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  begin_status(w, continue_token);
  w.Key("status");
  w.String("Failure");
  w.Key("message");
  w.String(message);
  if (!reason.empty()) {
    w.Key("reason");
    w.String(reason);
  }
  if (has_details || !name.empty() || !group.empty() || !kind.empty() || !causes.empty() ||
      retry_after_seconds > 0) {
    w.Key("details");
    w.StartObject();
    if (!name.empty()) {
      w.Key("name");
      w.String(name);
    }
    if (!group.empty()) {
      w.Key("group");
      w.String(group);
    }
    if (!kind.empty()) {
      w.Key("kind");
      w.String(kind);
    }
    if (!causes.empty()) {
      w.Key("causes");
      w.StartArray();
      for (const auto& cause : causes) {
        w.StartObject();
        if (!cause.reason.empty()) {
          w.Key("reason");
          w.String(cause.reason);
        }
        if (!cause.message.empty()) {
          w.Key("message");
          w.String(cause.message);
        }
        if (!cause.field.empty()) {
          w.Key("field");
          w.String(cause.field);
        }
        w.EndObject();
      }
      w.EndArray();
    }
    if (retry_after_seconds > 0) {
      w.Key("retryAfterSeconds");
      w.Int(retry_after_seconds);
    }
    w.EndObject();
  }
  w.Key("code");
  w.Int(code);
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

namespace errors {

namespace {
StatusError with_resource(int code, const char* reason, std::string message, const ResourceType& type,
                          const std::string& name) {
  StatusError e(code, reason, std::move(message));
  e.name = name;
  e.group = type.group;
  e.kind = type.plural;
  return e;
}
}  // namespace

StatusError not_found(const ResourceType& type, const std::string& name) {
  return with_resource(404, "NotFound", type.qualified() + " " + quoted(name) + " not found", type, name);
}

StatusError already_exists(const ResourceType& type, const std::string& name) {
  return with_resource(409, "AlreadyExists", type.qualified() + " " + quoted(name) + " already exists", type,
                       name);
}

StatusError conflict(const ResourceType& type, const std::string& name) {
  return conflict_message(
      type, name,
      "the object has been modified; please apply your changes to the latest version and try again");
}

StatusError conflict_message(const ResourceType& type, const std::string& name, const std::string& why) {
  return with_resource(
      409, "Conflict",
      "Operation cannot be fulfilled on " + type.qualified() + " " + quoted(name) + ": " + why, type, name);
}

StatusError invalid(const ResourceType& type, const std::string& name, std::vector<StatusCause> causes) {
  std::string qualified_kind = type.group.empty() ? type.kind : type.kind + "." + type.group;
  std::string message = qualified_kind + " " + quoted(name) + " is invalid";
  // field.ErrorList.ToAggregate(): one error as is, several as "[a, b]" (duplicates dropped).
  std::vector<std::string> texts;
  for (const auto& c : causes) {
    std::string text = c.field + ": " + c.message;
    if (std::find(texts.begin(), texts.end(), text) == texts.end()) texts.push_back(text);
  }
  if (texts.size() == 1) {
    message += ": " + texts[0];
  } else if (texts.size() > 1) {
    message += ": [";
    for (std::size_t i = 0; i < texts.size(); ++i) message += (i ? ", " : "") + texts[i];
    message += "]";
  }
  StatusError e(422, "Invalid", message);
  e.name = name;
  e.group = type.group;
  e.kind = type.kind;
  e.causes = std::move(causes);
  e.has_details = true;
  return e;
}

StatusError bad_request(const std::string& message) {
  return StatusError(400, "BadRequest", message);
}
StatusError forbidden(const std::string& message) {
  return StatusError(403, "Forbidden", message);
}
StatusError unauthorized() {
  return StatusError(401, "Unauthorized", "Unauthorized");
}
StatusError method_not_allowed(const std::string& message) {
  return StatusError(405, "MethodNotAllowed", message);
}
StatusError unsupported_media_type(const std::string& message) {
  return StatusError(415, "UnsupportedMediaType", message);
}
StatusError expired(const std::string& message) {
  return StatusError(410, "Expired", message);
}
StatusError gone(const std::string& message) {
  return StatusError(410, "Gone", message);
}

StatusError too_many_requests(int retry_after_seconds) {
  // The message API Priority and Fairness answers with.
  StatusError e(429, "TooManyRequests", "Too many requests, please try again later.");
  e.retry_after_seconds = retry_after_seconds;
  return e;
}

StatusError internal(const std::string& message) {
  StatusError e(500, "InternalError", "Internal error occurred: " + message);
  e.causes.push_back({"", message, ""});
  return e;
}

StatusError service_unavailable(const std::string& message) {
  return StatusError(503, "ServiceUnavailable", message);
}

StatusError path_not_found() {
  StatusError e(404, "NotFound", "the server could not find the requested resource");
  e.has_details = true;
  return e;
}

}  // namespace errors

}  // namespace emu
