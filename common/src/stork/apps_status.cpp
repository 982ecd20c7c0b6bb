#include "dr/stork/apps_status.hpp"

#include "dr/stork/annotations.hpp"
#include "dr/stork/object.hpp"

namespace dr::stork {

AppStatusRow app_status_row(const Target& target, const rapidjson::Value& object) {
  AppStatusRow row;
  row.kind = target.type.kind;
  row.namespace_name = std::string(object_namespace(object));
  row.name = std::string(object_name(object));
  switch (target.workload_class) {
    case WorkloadClass::Replicated: {
      auto recorded = read_migration_replicas(object);
      if (recorded.ok()) row.desired = recorded.value;
      if (recorded.error) row.desired_error = *recorded.error;
      const auto* replicas = at_path(object, "spec.replicas");
      row.current = replicas == nullptr || replicas->IsNull() ? std::optional<std::int64_t>{1}
                                                              : int_at(object, "spec.replicas");
      row.ready = int_at(object, "status.readyReplicas").value_or(0);
      row.activated = row.current && *row.current > 0;
      row.state =
          std::to_string(*row.ready) + "/" + (row.current ? std::to_string(*row.current) : "?") + " ready";
      break;
    }
    case WorkloadClass::CronJob: {
      bool suspended = bool_at(object, "spec.suspend").value_or(false);
      row.activated = !suspended;
      row.state = suspended ? "suspended" : "scheduled";
      break;
    }
    case WorkloadClass::VirtualMachine: {
      std::string_view strategy;
      if (const auto* spec = member(object, "spec")) strategy = string_member(*spec, "runStrategy");
      if (!strategy.empty()) {
        row.activated = strategy != "Halted";
        row.state = std::string(strategy);
      } else {
        bool running = bool_at(object, "spec.running").value_or(false);
        row.activated = running;
        row.state = running ? "running" : "stopped";
      }
      break;
    }
    case WorkloadClass::CustomResource: {
      // Activated unless some suspend option currently holds its disabled value.
      row.activated = true;
      for (const auto& option : target.registration.all_suspend_options()) {
        const auto* value = at_path(object, option.path);
        if (value == nullptr) continue;
        bool disabled = false;
        switch (option.value_type()) {
          case SuspendValueType::Int:
            disabled = value->IsInt64() && value->GetInt64() == 0;
            break;
          case SuspendValueType::Bool: {
            bool suspend_value = option.value != "false";
            disabled = value->IsBool() && value->GetBool() == suspend_value;
            break;
          }
          case SuspendValueType::String:
            disabled = value->IsString() && option.value == value->GetString();
            break;
          case SuspendValueType::Unknown:
            break;
        }
        if (disabled) {
          row.activated = false;
          row.state = option.path + " suspended";
        }
      }
      if (row.activated) row.state = "active";
      break;
    }
  }
  return row;
}

}  // namespace dr::stork
