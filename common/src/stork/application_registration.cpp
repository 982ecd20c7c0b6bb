#include "dr/stork/application_registration.hpp"

#include "dr/stork/object.hpp"

namespace dr::stork {

SuspendValueType SuspendOption::value_type() const {
  if (type == "bool") return SuspendValueType::Bool;
  if (type == "int") return SuspendValueType::Int;
  if (type == "string") return SuspendValueType::String;
  return SuspendValueType::Unknown;
}

std::vector<SuspendOption> ApplicationResource::all_suspend_options() const {
  std::vector<SuspendOption> options = nested_suspend_options;
  if (!suspend_options.path.empty()) options.push_back(suspend_options);
  return options;
}

namespace {

Result<SuspendOption> parse_suspend_option(const rapidjson::Value& value, const std::string& where) {
  if (!value.IsObject()) return Error::make(ErrorCode::Decode, where + ": expected an object");
  SuspendOption option;
  option.path = std::string(string_member(value, "path"));
  option.type = std::string(string_member(value, "type"));
  option.value = std::string(string_member(value, "value"));
  return option;
}

}  // namespace

Result<ApplicationRegistration> parse_application_registration(const rapidjson::Value& object) {
  if (!object.IsObject()) return Error::make(ErrorCode::Decode, "ApplicationRegistration is not an object");
  ApplicationRegistration registration;
  registration.name = std::string(object_name(object));
  const std::string context = "ApplicationRegistration " + registration.name;
  const auto* resources = member(object, "resources");
  if (resources == nullptr || resources->IsNull()) return registration;
  if (!resources->IsArray()) return Error::make(ErrorCode::Decode, context + ": resources is not a list");
  registration.resources.reserve(resources->Size());
  for (rapidjson::SizeType i = 0; i < resources->Size(); ++i) {
    const auto& entry = (*resources)[i];
    const std::string where = context + ": resources[" + std::to_string(i) + "]";
    if (!entry.IsObject()) return Error::make(ErrorCode::Decode, where + ": expected an object");
    ApplicationResource resource;
    resource.group = std::string(string_member(entry, "group"));
    resource.version = std::string(string_member(entry, "version"));
    resource.kind = std::string(string_member(entry, "kind"));
    if (resource.kind.empty() || resource.version.empty()) {
      return Error::make(ErrorCode::Decode, where + ": kind and version are required");
    }
    if (const auto* keep = member(entry, "keepStatus"); keep != nullptr && keep->IsBool()) {
      resource.keep_status = keep->GetBool();
    }
    if (const auto* suspend = member(entry, "suspendOptions"); suspend != nullptr && !suspend->IsNull()) {
      auto option = parse_suspend_option(*suspend, where + ".suspendOptions");
      if (!option) return std::move(option).error();
      resource.suspend_options = std::move(*option);
    }
    if (const auto* nested = member(entry, "customSuspendOptions"); nested != nullptr && !nested->IsNull()) {
      if (!nested->IsArray()) {
        return Error::make(ErrorCode::Decode, where + ": customSuspendOptions is not a list");
      }
      for (rapidjson::SizeType j = 0; j < nested->Size(); ++j) {
        auto option =
            parse_suspend_option((*nested)[j], where + ".customSuspendOptions[" + std::to_string(j) + "]");
        if (!option) return std::move(option).error();
        resource.nested_suspend_options.push_back(std::move(*option));
      }
    }
    resource.pods_path = std::string(string_member(entry, "podsPath"));
    if (const auto* stash = member(entry, "stashStrategy"); stash != nullptr) {
      if (auto flag = bool_at(*stash, "stashCR")) resource.stash_cr = *flag;
    }
    registration.resources.push_back(std::move(resource));
  }
  return registration;
}

ApplicationResource default_virtual_machine_registration() {
  ApplicationResource resource;
  resource.group = "kubevirt.io";
  resource.version = "v1";
  resource.kind = "VirtualMachine";
  resource.suspend_options = SuspendOption{"spec.runStrategy", "string", "Halted"};
  return resource;
}

}  // namespace dr::stork
