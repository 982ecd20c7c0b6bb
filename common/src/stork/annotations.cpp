#include "dr/stork/annotations.hpp"

#include <limits>

#include "dr/stork/object.hpp"

namespace dr::stork::annotations {

std::string suspend_path_annotation(std::string_view dotted_path) {
  std::string key;
  key.reserve(kStorkPrefix.size() + dotted_path.size());
  key += kStorkPrefix;
  key += dotted_path;
  return key;
}

}  // namespace dr::stork::annotations

namespace dr::stork {

Result<std::int32_t> parse_replica_count(std::string_view text) {
  auto quoted = [&] { return "\"" + std::string(text) + "\""; };
  if (text.empty()) return Error::make(ErrorCode::Decode, "empty replica count");
  std::string_view digits = text;
  if (digits.front() == '+') digits.remove_prefix(1);
  if (digits.empty()) return Error::make(ErrorCode::Decode, "replica count " + quoted() + " is not a number");
  if (text.front() == '-') {
    return Error::make(ErrorCode::Decode, "replica count " + quoted() + " is negative");
  }
  std::int64_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') {
      return Error::make(ErrorCode::Decode, "replica count " + quoted() + " is not a whole number");
    }
    value = value * 10 + (c - '0');
    if (value > std::numeric_limits<std::int32_t>::max()) {
      return Error::make(ErrorCode::Decode, "replica count " + quoted() + " is out of range");
    }
  }
  return static_cast<std::int32_t>(value);
}

ReplicaAnnotation read_migration_replicas(const rapidjson::Value& object) {
  ReplicaAnnotation result;
  auto stork = annotation(object, annotations::kMigrationReplicas);
  auto docs = annotation(object, annotations::kMigrationReplicasDocsSpelling);
  if (!stork && !docs) return result;
  result.present = true;
  if (stork) {
    result.key = annotations::kMigrationReplicas;
    result.raw = *stork;
    if (docs && *docs != *stork) {
      result.spellings_disagree = true;
      result.other_raw = *docs;
    }
  } else {
    result.key = annotations::kMigrationReplicasDocsSpelling;
    result.raw = *docs;
  }
  auto parsed = parse_replica_count(result.raw);
  if (parsed) {
    result.value = *parsed;
    return result;
  }
  std::string error = "annotation " + std::string(result.key) + ": " + parsed.error().message;
  if (result.spellings_disagree) {
    if (auto other = parse_replica_count(result.other_raw)) {
      result.fallback_note = error + "; using " + std::string(annotations::kMigrationReplicasDocsSpelling) +
                             "=\"" + std::string(result.other_raw) + "\"";
      result.key = annotations::kMigrationReplicasDocsSpelling;
      result.raw = result.other_raw;
      result.value = *other;
      result.spellings_disagree = false;  // the note says it all
      return result;
    }
  }
  result.error = std::move(error);
  return result;
}

bool has_stork_marks(const rapidjson::Value& object) {
  for (auto key : {annotations::kMigrated, annotations::kMigrationNamespace, annotations::kMigrationReplicas,
                   annotations::kMigrationReplicasDocsSpelling}) {
    if (annotation(object, key)) return true;
  }
  return false;
}

std::string ReplicaAnnotation::disagreement_note() const {
  if (!spellings_disagree) return {};
  std::string note = "annotations ";
  note += annotations::kMigrationReplicas;
  note += "=\"" + std::string(raw) + "\" and ";
  note += annotations::kMigrationReplicasDocsSpelling;
  note += "=\"" + std::string(other_raw) + "\" disagree; using ";
  note += annotations::kMigrationReplicas;
  return note;
}

}  // namespace dr::stork
