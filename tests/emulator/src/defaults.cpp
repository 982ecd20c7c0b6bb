#include "defaults.hpp"

#include "json.hpp"

#include <string>

namespace emu {

namespace {

using rapidjson::Value;

template <typename T>
void default_to(Value& parent, const char* key, T value, rapidjson::Document::AllocatorType& a) {
  auto it = parent.FindMember(key);
  if (it == parent.MemberEnd() || it->value.IsNull()) {
    if (it != parent.MemberEnd()) parent.EraseMember(it);
    parent.AddMember(Value(key, a), Value(value), a);
  }
}

void default_string(Value& parent, const char* key, const char* value,
                    rapidjson::Document::AllocatorType& a) {
  auto it = parent.FindMember(key);
  if (it == parent.MemberEnd()) parent.AddMember(Value(key, a), Value(value, a), a);
}

void container_defaults(Value& c, rapidjson::Document::AllocatorType& a) {
  if (!c.IsObject()) return;
  default_string(c, "terminationMessagePath", "/dev/termination-log", a);
  default_string(c, "terminationMessagePolicy", "File", a);
  if (!c.HasMember("imagePullPolicy")) {
    std::string image = c.HasMember("image") && c["image"].IsString() ? c["image"].GetString() : "";
    auto slash = image.rfind('/');
    std::string last = slash == std::string::npos ? image : image.substr(slash + 1);
    bool latest = image.find('@') == std::string::npos &&
                  (last.find(':') == std::string::npos || last.substr(last.find(':') + 1) == "latest");
    c.AddMember("imagePullPolicy", Value(latest ? "Always" : "IfNotPresent", a), a);
  }
  auto ports = c.FindMember("ports");
  if (ports != c.MemberEnd() && ports->value.IsArray()) {
    for (auto& p : ports->value.GetArray()) {
      if (p.IsObject()) default_string(p, "protocol", "TCP", a);
    }
  }
  if (!c.HasMember("resources")) c.AddMember("resources", Value(rapidjson::kObjectType), a);
}

void pod_spec_defaults(Value& spec, rapidjson::Document::AllocatorType& a) {
  for (const char* list : {"containers", "initContainers"}) {
    auto it = spec.FindMember(list);
    if (it != spec.MemberEnd() && it->value.IsArray()) {
      for (auto& c : it->value.GetArray()) container_defaults(c, a);
    }
  }
  if (!spec.HasMember("securityContext")) spec.AddMember("securityContext", Value(rapidjson::kObjectType), a);
  default_string(spec, "restartPolicy", "Always", a);
  default_to(spec, "terminationGracePeriodSeconds", 30, a);
  default_string(spec, "dnsPolicy", "ClusterFirst", a);
  default_string(spec, "schedulerName", "default-scheduler", a);
}

}  // namespace

void apply_builtin_defaults(const ResourceType& type, rapidjson::Document& doc, bool creating) {
  if (!type.builtin || !doc.IsObject()) return;
  auto& a = doc.GetAllocator();
  if (type.group == "apps") {
    Value& spec = ensure_object(doc, "spec", a);
    default_to(spec, "replicas", 1, a);
    default_to(spec, "revisionHistoryLimit", 10, a);
    if (type.plural == "deployments") {
      default_to(spec, "progressDeadlineSeconds", 600, a);
      Value& strategy = ensure_object(spec, "strategy", a);
      default_string(strategy, "type", "RollingUpdate", a);
      if (std::string(strategy["type"].IsString() ? strategy["type"].GetString() : "") == "RollingUpdate") {
        Value& rolling = ensure_object(strategy, "rollingUpdate", a);
        default_string(rolling, "maxUnavailable", "25%", a);
        default_string(rolling, "maxSurge", "25%", a);
      }
    } else if (type.plural == "statefulsets") {
      default_string(spec, "podManagementPolicy", "OrderedReady", a);
      Value& strategy = ensure_object(spec, "updateStrategy", a);
      default_string(strategy, "type", "RollingUpdate", a);
      if (std::string(strategy["type"].IsString() ? strategy["type"].GetString() : "") == "RollingUpdate") {
        Value& rolling = ensure_object(strategy, "rollingUpdate", a);
        default_to(rolling, "partition", 0, a);
      }
      if (!spec.HasMember("persistentVolumeClaimRetentionPolicy")) {
        Value policy(rapidjson::kObjectType);
        policy.AddMember("whenDeleted", "Retain", a);
        policy.AddMember("whenScaled", "Retain", a);
        spec.AddMember("persistentVolumeClaimRetentionPolicy", policy, a);
      }
    } else if (type.plural == "replicasets") {
      spec.EraseMember("revisionHistoryLimit");
    }
    auto tmpl = spec.FindMember("template");
    if (tmpl != spec.MemberEnd() && tmpl->value.IsObject()) {
      auto pod_spec = tmpl->value.FindMember("spec");
      if (pod_spec != tmpl->value.MemberEnd() && pod_spec->value.IsObject())
        pod_spec_defaults(pod_spec->value, a);
    }
  } else if (type.group == "batch" && type.plural == "cronjobs") {
    Value& spec = ensure_object(doc, "spec", a);
    default_to(spec, "suspend", false, a);
    default_string(spec, "concurrencyPolicy", "Allow", a);
    default_to(spec, "successfulJobsHistoryLimit", 3, a);
    default_to(spec, "failedJobsHistoryLimit", 1, a);
    auto job = spec.FindMember("jobTemplate");
    if (job != spec.MemberEnd() && job->value.IsObject()) {
      auto job_spec = job->value.FindMember("spec");
      if (job_spec != job->value.MemberEnd() && job_spec->value.IsObject()) {
        auto tmpl = job_spec->value.FindMember("template");
        if (tmpl != job_spec->value.MemberEnd() && tmpl->value.IsObject()) {
          auto pod_spec = tmpl->value.FindMember("spec");
          if (pod_spec != tmpl->value.MemberEnd() && pod_spec->value.IsObject())
            pod_spec_defaults(pod_spec->value, a);
        }
      }
    }
  } else if (type.group.empty() && type.plural == "namespaces") {
    Value& meta = ensure_object(doc, "metadata", a);
    auto name = meta.FindMember("name");
    if (name != meta.MemberEnd() && name->value.IsString()) {
      Value& labels = ensure_object(meta, "labels", a);
      labels.EraseMember("kubernetes.io/metadata.name");
      labels.AddMember("kubernetes.io/metadata.name", Value(name->value, a), a);
    }
    Value& spec = ensure_object(doc, "spec", a);
    if (creating || !spec.HasMember("finalizers")) {
      Value finalizers(rapidjson::kArrayType);
      finalizers.PushBack("kubernetes", a);
      spec.EraseMember("finalizers");
      spec.AddMember("finalizers", finalizers, a);
    }
    Value& status = ensure_object(doc, "status", a);
    default_string(status, "phase", "Active", a);
  } else if (type.group.empty() && type.plural == "persistentvolumeclaims") {
    Value& spec = ensure_object(doc, "spec", a);
    default_string(spec, "volumeMode", "Filesystem", a);
    Value& status = ensure_object(doc, "status", a);
    default_string(status, "phase", "Pending", a);
  } else if (type.group.empty() && type.plural == "pods") {
    auto spec = doc.FindMember("spec");
    if (spec != doc.MemberEnd() && spec->value.IsObject()) pod_spec_defaults(spec->value, a);
    Value& status = ensure_object(doc, "status", a);
    default_string(status, "phase", "Pending", a);
  }
}

}  // namespace emu
