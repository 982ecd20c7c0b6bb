#include "dr/stork/failover.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "dr/core/duration.hpp"
#include "dr/core/strings.hpp"
#include "dr/stork/object.hpp"

namespace dr::stork {

namespace {

constexpr std::array<std::pair<Stage, std::string_view>, 9> kStageIds = {{
    {Stage::SuspendSchedule, "suspend-schedule"},
    {Stage::ActivateDomain, "activate-domain"},
    {Stage::ScaleDown, "scale-down"},
    {Stage::WaitStopped, "wait-stopped"},
    {Stage::LastMileMigration, "last-mile-migration"},
    {Stage::DeactivateDomain, "deactivate-domain"},
    {Stage::ScaleUp, "scale-up"},
    {Stage::WaitReady, "wait-ready"},
    {Stage::ResumeSchedule, "resume-schedule"},
}};

constexpr std::string_view kJournalPrefix = "kubectl-dr-run-";
constexpr std::size_t kMaxName = 253;

std::string data_string(const rapidjson::Value& data, std::string_view key) {
  return std::string(string_member(data, key));
}

}  // namespace

std::string_view direction_word(Direction direction) {
  return direction == Direction::Failover ? "failover" : "failback";
}

std::string_view stage_id(Stage stage) {
  for (const auto& [s, id] : kStageIds) {
    if (s == stage) return id;
  }
  return "";
}

std::optional<Stage> stage_from_id(std::string_view id) {
  for (const auto& [s, word] : kStageIds) {
    if (word == id) return s;
  }
  return std::nullopt;
}

std::string stage_description(Stage stage, Direction direction, std::string_view from, std::string_view to) {
  const std::string f(from);
  const std::string t(to);
  switch (stage) {
    case Stage::SuspendSchedule:
      return direction == Direction::Failover ? "Suspend the MigrationSchedule on " + f
                                              : "Make sure the MigrationSchedule on " + t + " is suspended";
    case Stage::ActivateDomain:
      return "Activate the cluster domain of " + t;
    case Stage::ScaleDown:
      return "Scale the apps on " + f + " to 0 (replica counts recorded)";
    case Stage::WaitStopped:
      return "Wait until the apps on " + f + " have stopped";
    case Stage::LastMileMigration:
      return "Last-mile migration " + f + " -> " + t + ", waited for";
    case Stage::DeactivateDomain:
      return "Deactivate the cluster domain of " + f;
    case Stage::ScaleUp:
      return "Scale the apps on " + t + " up to their recorded counts";
    case Stage::WaitReady:
      return "Wait until the apps on " + t + " are ready";
    case Stage::ResumeSchedule:
      return "Resume the MigrationSchedule on " + t;
  }
  return std::string(stage_id(stage));
}

std::vector<Stage> plan_stages(Direction direction, const StageSet& set) {
  if (direction == Direction::Failover) {
    if (set.skip_source) return {Stage::ScaleUp, Stage::WaitReady};
    std::vector<Stage> stages = {Stage::SuspendSchedule, Stage::ScaleDown, Stage::WaitStopped,
                                 Stage::LastMileMigration};
    if (set.domains) stages.push_back(Stage::DeactivateDomain);
    stages.insert(stages.end(), {Stage::ScaleUp, Stage::WaitReady});
    return stages;
  }
  std::vector<Stage> stages = {Stage::SuspendSchedule};
  if (set.domains) stages.push_back(Stage::ActivateDomain);
  stages.insert(stages.end(), {Stage::ScaleDown, Stage::WaitStopped, Stage::LastMileMigration, Stage::ScaleUp,
                               Stage::WaitReady, Stage::ResumeSchedule});
  return stages;
}

bool Journal::done(Stage stage) const {
  return std::find(completed.begin(), completed.end(), stage_id(stage)) != completed.end();
}

std::string journal_name(std::string_view schedule) {
  std::string name = std::string(kJournalPrefix) + std::string(schedule);
  if (name.size() > kMaxName) name.resize(kMaxName);
  while (!name.empty() && (name.back() == '-' || name.back() == '.')) name.pop_back();
  return name;
}

std::string journal_configmap(const Journal& journal, std::string_view namespace_name,
                              std::string_view resource_version) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  auto field = [&](std::string_view key, std::string_view value) {
    w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
    w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  };
  w.StartObject();
  field("apiVersion", "v1");
  field("kind", "ConfigMap");
  w.Key("metadata");
  w.StartObject();
  field("name", journal_name(journal.schedule));
  field("namespace", namespace_name);
  if (!resource_version.empty()) field("resourceVersion", resource_version);
  // Stork's resource collector skips objects carrying this: without it, the last-mile migration
  // would copy the other cluster's journal over this one.
  w.Key("annotations");
  w.StartObject();
  field("stork.libopenstorage.org/skip-resource", "true");
  w.EndObject();
  w.Key("labels");
  w.StartObject();
  field("app.kubernetes.io/managed-by", "kubectl-dr");
  field("dr.kubectl-dr.io/operation", direction_word(journal.direction));
  w.EndObject();
  w.EndObject();
  w.Key("data");
  w.StartObject();
  field("runId", journal.run_id);
  field("operation", direction_word(journal.direction));
  field("migrationSchedule", journal.schedule);
  field("fromContext", journal.from_context);
  field("toContext", journal.to_context);
  field("namespaces", strings::join(journal.namespaces, ","));
  field("completedStages", strings::join(journal.completed, ","));
  field("state", journal.state);
  field("lastMileMigration", journal.last_mile_migration);
  field("skipSourceOperations", journal.skip_source ? "true" : "false");
  field("startedAt", journal.started_at);
  field("updatedAt", journal.updated_at);
  field("owner", journal.owner);
  field("message", journal.message);
  w.EndObject();
  w.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

Result<Journal> parse_journal(const rapidjson::Value& configmap) {
  const auto* data = member(configmap, "data");
  if (data == nullptr || !data->IsObject()) {
    return Error::make(ErrorCode::Decode,
                       "ConfigMap " + namespaced_name(configmap) + " holds no kubectl-dr journal");
  }
  Journal journal;
  journal.run_id = data_string(*data, "runId");
  const std::string operation = data_string(*data, "operation");
  if (journal.run_id.empty() || (operation != "failover" && operation != "failback")) {
    return Error::make(ErrorCode::Decode, "ConfigMap " + namespaced_name(configmap) +
                                              " is not a kubectl-dr journal (no runId/operation)");
  }
  journal.direction = operation == "failover" ? Direction::Failover : Direction::Failback;
  journal.schedule = data_string(*data, "migrationSchedule");
  journal.from_context = data_string(*data, "fromContext");
  journal.to_context = data_string(*data, "toContext");
  const auto split_list = [](const std::string& text) {
    std::vector<std::string> values;
    for (const auto value : strings::split(text, ',')) {
      if (!value.empty()) values.emplace_back(value);
    }
    return values;
  };
  journal.namespaces = split_list(data_string(*data, "namespaces"));
  journal.completed = split_list(data_string(*data, "completedStages"));
  for (const auto& id : journal.completed) {
    if (!stage_from_id(id)) {
      return Error::make(ErrorCode::Decode, "journal " + namespaced_name(configmap) +
                                                " names an unknown stage \"" + id +
                                                "\" (written by a newer kubectl-dr?)");
    }
  }
  journal.state = data_string(*data, "state");
  journal.last_mile_migration = data_string(*data, "lastMileMigration");
  journal.skip_source = data_string(*data, "skipSourceOperations") == "true";
  journal.started_at = data_string(*data, "startedAt");
  journal.updated_at = data_string(*data, "updatedAt");
  journal.owner = data_string(*data, "owner");
  journal.message = data_string(*data, "message");
  return journal;
}

JournalRow journal_row(const Journal& journal, std::string_view namespace_name) {
  JournalRow row;
  row.namespace_name = std::string(namespace_name);
  row.name = journal.run_id;
  row.created = parse_kube_time(journal.started_at);
  if (journal.finished()) {
    row.stage = "Completed";
  } else {
    const auto stages = plan_stages(journal.direction, {journal.skip_source, true});
    const auto next = std::find_if(stages.begin(), stages.end(), [&](Stage s) { return !journal.done(s); });
    row.stage = next == stages.end() ? "Completed" : std::string(stage_id(*next));
  }
  if (journal.state == "InProgress") {
    row.status = "In-Progress";
  } else if (journal.state == "Succeeded") {
    row.status = "Successful";
  } else if (journal.state == "RolledBack") {
    row.status = "RollbackSuccessful";
  } else {
    row.status = journal.state;  // Failed, RollbackFailed
  }
  row.more_info = "kubectl dr " + std::string(direction_word(journal.direction)) + " of " + journal.schedule +
                  " from " + (journal.from_context.empty() ? "(source skipped)" : journal.from_context) +
                  " to " + journal.to_context;
  if (!journal.message.empty()) row.more_info += " ; " + journal.message;
  return row;
}

LastMigrationCheck check_last_migration(const rapidjson::Value& schedule, std::chrono::minutes interval,
                                        TimePoint now, bool force) {
  LastMigrationCheck check;
  std::optional<TimePoint> newest_created;
  const auto* items = at_path(schedule, "status.items");
  if (items != nullptr && items->IsObject()) {
    for (const auto& policy : items->GetObject()) {
      if (!policy.value.IsArray()) continue;
      for (const auto& item : policy.value.GetArray()) {
        if (!item.IsObject()) continue;
        const auto created = parse_kube_time(string_member(item, "creationTimestamp"));
        if (!created || (newest_created && *created < *newest_created)) continue;
        newest_created = created;
        check.name = std::string(string_member(item, "name"));
        check.status = std::string(string_member(item, "status"));
        check.finished = parse_kube_time(string_member(item, "finishTimestamp"));
      }
    }
  }
  using Verdict = LastMigrationCheck::Verdict;
  if (check.status.empty()) {
    check.verdict = force ? Verdict::Warn : Verdict::Refuse;
    check.message = "no migration of this schedule has run: the destination may hold nothing to start";
    return check;
  }
  const auto age = check.finished ? std::chrono::duration_cast<std::chrono::seconds>(now - *check.finished)
                                  : std::chrono::seconds(0);
  check.message = "last migration " + check.name + " " + check.status;
  if (check.finished) check.message += ", finished " + describe_age(age);
  if (check.status == "Failed") {
    check.verdict = force ? Verdict::Warn : Verdict::Refuse;
    check.message += force ? " (--force: going on)" : " (use --force to fail over anyway)";
  } else if (check.status == "PartialSuccess") {
    check.verdict = Verdict::Warn;
    check.message += ": some resources did not migrate";
  } else if (check.status != "Successful") {
    check.verdict = Verdict::Warn;
    check.message += ": still running; the last-mile migration will follow it";
  } else if (interval.count() > 0 && check.finished && age > interval) {
    check.verdict = Verdict::Warn;
    check.message += ", older than the schedule's interval (" + format_go_duration(interval) + ")";
  }
  return check;
}

std::chrono::minutes policy_interval(const rapidjson::Value& policy) {
  const auto minutes = int_at(policy, "policy.interval.intervalMinutes");
  return minutes && *minutes > 0 ? std::chrono::minutes(*minutes) : std::chrono::minutes(0);
}

std::string last_mile_migration_body(const rapidjson::Value& schedule, std::string_view name,
                                     std::string_view namespace_name,
                                     const std::vector<std::string>& namespaces, std::string_view run_id) {
  rapidjson::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  rapidjson::Value spec(rapidjson::kObjectType);
  if (const auto* tmpl = at_path(schedule, "spec.template.spec"); tmpl != nullptr && tmpl->IsObject()) {
    spec.CopyFrom(*tmpl, a);
  }
  auto set = [&](rapidjson::Value& object, const char* key, rapidjson::Value value) {
    if (object.HasMember(key)) object.RemoveMember(key);
    object.AddMember(rapidjson::StringRef(key), value, a);
  };
  rapidjson::Value list(rapidjson::kArrayType);
  for (const auto& ns : namespaces) list.PushBack(rapidjson::Value(ns.c_str(), a), a);
  set(spec, "namespaces", std::move(list));
  // Only the named namespaces: the schedule's selectors would widen it again.
  if (spec.HasMember("namespaceSelectors")) spec.RemoveMember("namespaceSelectors");
  set(spec, "startApplications", rapidjson::Value(false));
  rapidjson::Value metadata(rapidjson::kObjectType);
  set(metadata, "name", rapidjson::Value(std::string(name).c_str(), a));
  set(metadata, "namespace", rapidjson::Value(std::string(namespace_name).c_str(), a));
  rapidjson::Value labels(rapidjson::kObjectType);
  labels.AddMember("app.kubernetes.io/managed-by", "kubectl-dr", a);
  labels.AddMember("dr.kubectl-dr.io/run", rapidjson::Value(std::string(run_id).c_str(), a), a);
  set(metadata, "labels", std::move(labels));
  rapidjson::Value annotations(rapidjson::kObjectType);
  annotations.AddMember("stork.libopenstorage.org/migration-schedule-name",
                        rapidjson::Value(std::string(object_name(schedule)).c_str(), a), a);
  set(metadata, "annotations", std::move(annotations));
  doc.AddMember("apiVersion", "stork.libopenstorage.org/v1alpha1", a);
  doc.AddMember("kind", "Migration", a);
  doc.AddMember("metadata", metadata, a);
  doc.AddMember("spec", spec, a);
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  doc.Accept(writer);
  return {buffer.GetString(), buffer.GetSize()};
}

std::optional<TimePoint> parse_migration_time(std::string_view text) {
  // 2006-01-02-150405 -> 2006-01-02T15:04:05Z
  if (text.size() != 17 || text[10] != '-') return std::nullopt;
  std::string rfc3339(text.substr(0, 10));
  rfc3339 += 'T';
  rfc3339 += text.substr(11, 2);
  rfc3339 += ':';
  rfc3339 += text.substr(13, 2);
  rfc3339 += ':';
  rfc3339 += text.substr(15, 2);
  rfc3339 += 'Z';
  return parse_kube_time(rfc3339);
}

std::string describe_age(std::chrono::seconds age) {
  if (age.count() < 0) return "in the future (clock skew?)";
  return format_go_duration(std::chrono::duration_cast<std::chrono::seconds>(age)) + " ago";
}

}  // namespace dr::stork
