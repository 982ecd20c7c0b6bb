#include "table.hpp"

#include <ctime>
#include <functional>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace emu {

namespace {

using rapidjson::Value;
using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

long long num(const Value& o, std::initializer_list<const char*> path, long long fallback = 0) {
  const Value* v = value_at(o, path);
  return v != nullptr && v->IsInt64() ? v->GetInt64() : fallback;
}

std::string age_of_timestamp(const std::string& ts) {
  if (ts.size() < 19) return "<unknown>";
  std::tm tm{};
  if (strptime(ts.c_str(), "%Y-%m-%dT%H:%M:%S", &tm) == nullptr) return "<unknown>";
  long long s = static_cast<long long>(std::difftime(std::time(nullptr), timegm(&tm)));
  return human_duration(s < 0 ? 0 : s);
}

std::string age(const Value& o) {
  return age_of_timestamp(str_at(o, {"metadata", "creationTimestamp"}));
}

std::string containers_field(const Value* pod_spec, const char* field) {
  std::string out;
  const Value* containers = pod_spec != nullptr ? value_at(*pod_spec, {"containers"}) : nullptr;
  if (containers == nullptr || !containers->IsArray()) return out;
  for (const auto& c : containers->GetArray()) out += (out.empty() ? "" : ",") + str_at(c, {field});
  return out;
}

std::string selector_text(const Value* selector) {
  if (selector == nullptr) return "<none>";
  std::string out;
  const Value* match = value_at(*selector, {"matchLabels"});
  if (match != nullptr && match->IsObject()) {
    for (const auto& m : match->GetObject()) {
      if (m.value.IsString())
        out += (out.empty() ? "" : ",") + std::string(m.name.GetString()) + "=" + m.value.GetString();
    }
  }
  return out.empty() ? "<none>" : out;
}

struct Cell {
  bool is_int = false;
  long long i = 0;
  std::string s;
};
// A cell of a string column, or of an integer column.
Cell text_cell(std::string s) {
  return {false, 0, std::move(s)};
}
Cell int_cell(long long i) {
  return {true, i, {}};
}

struct Column {
  std::string name;
  std::string type;
  std::string format;
  std::string description;
  int priority = 0;
  std::function<Cell(const Value&)> cell;
};

Column name_column() {
  return {"Name",
          "string",
          "name",
          "Name must be unique within a namespace. Is required when creating resources, although some "
          "resources may "
          "allow a client to request the generation of an appropriate name automatically. Name is primarily "
          "intended "
          "for creation idempotence and configuration definition. Cannot be updated. More info: "
          "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
          0,
          [](const Value& o) {
            return text_cell(str_at(o, {"metadata", "name"}));
          }};
}
Column age_column() {
  return {
      "Age",
      "string",
      "",
      "CreationTimestamp is a timestamp representing the server time when this object was created. It is not "
      "guaranteed to be set in happens-before order across separate operations. Clients may not set this "
      "value. "
      "It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for "
      "lists. "
      "More info: "
      "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
      0,
      [](const Value& o) { return text_cell(age(o)); }};
}

std::vector<Column> workload_extra(bool selector) {
  std::vector<Column> cols{
      {"Containers", "string", "", "Names of each container in the template.", 1,
       [](const Value& o) {
         return text_cell(containers_field(value_at(o, {"spec", "template", "spec"}), "name"));
       }},
      {"Images", "string", "", "Images referenced by each container in the template.", 1, [](const Value& o) {
         return text_cell(containers_field(value_at(o, {"spec", "template", "spec"}), "image"));
       }}};
  if (selector) {
    cols.push_back({"Selector", "string", "", "Label selector for pods.", 1, [](const Value& o) {
                      return text_cell(selector_text(value_at(o, {"spec", "selector"})));
                    }});
  }
  return cols;
}

std::string printable(const Value* v) {
  if (v == nullptr || v->IsNull()) return "";
  if (v->IsString()) return v->GetString();
  if (v->IsBool()) return v->GetBool() ? "true" : "false";
  if (v->IsInt64()) return std::to_string(v->GetInt64());
  if (v->IsNumber()) return to_json(*v);
  return to_json(*v);
}

// ".spec.foo.bar" (the simple JSONPath subset CRDs use). Unlike value_at_path, an empty last
// segment (a path that is empty or ends in '.') names the member "".
const Value* json_path(const Value& o, const std::string& path) {
  const Value* cur = value_at_path(o, path);
  if (cur == nullptr || !(path.empty() || path.back() == '.')) return cur;
  if (!cur->IsObject()) return nullptr;
  auto it = cur->FindMember("");
  return it == cur->MemberEnd() ? nullptr : &it->value;
}

// A custom resource's columns: its CRD's additionalPrinterColumns, or NAME and AGE.
std::vector<Column> custom_resource_columns(const ResourceType& type) {
  std::vector<Column> cols{name_column()};
  if (type.printer_columns.empty()) {
    cols.push_back(age_column());
    return cols;
  }
  for (const auto& pc : type.printer_columns) {
    Column c;
    c.name = pc.name;
    c.type = pc.type;
    c.description = pc.description;
    c.priority = pc.priority;
    std::string path = pc.json_path;
    std::string t = pc.type;
    c.cell = [path, t](const Value& o) {
      const Value* v = json_path(o, path);
      if (t == "date")
        return text_cell(v != nullptr && v->IsString() ? age_of_timestamp(v->GetString()) : "<unknown>");
      if (t == "integer" && v != nullptr && v->IsInt64()) return int_cell(v->GetInt64());
      return text_cell(printable(v));
    };
    if (c.type == "date") c.type = "date";
    cols.push_back(std::move(c));
  }
  return cols;
}

std::vector<Column> pods_columns() {
  return {name_column(),
          {"Ready", "string", "", "The aggregate readiness state of this pod for accepting traffic.", 0,
           [](const Value& o) {
             long long total = 0, ready = 0;
             const Value* cs = value_at(o, {"spec", "containers"});
             if (cs != nullptr && cs->IsArray()) total = cs->Size();
             const Value* st = value_at(o, {"status", "containerStatuses"});
             if (st != nullptr && st->IsArray()) {
               for (const auto& c : st->GetArray()) {
                 const Value* r = value_at(c, {"ready"});
                 if (r != nullptr && r->IsBool() && r->GetBool()) ++ready;
               }
             }
             return text_cell(std::to_string(ready) + "/" + std::to_string(total));
           }},
          {"Status", "string", "", "The aggregate status of the containers in this pod.", 0,
           [](const Value& o) {
             std::string reason = str_at(o, {"status", "reason"});
             if (!reason.empty()) return text_cell(reason);
             if (value_at(o, {"metadata", "deletionTimestamp"}) != nullptr) return text_cell("Terminating");
             std::string phase = str_at(o, {"status", "phase"});
             return text_cell(phase.empty() ? "Pending" : phase);
           }},
          {"Restarts", "string", "",
           "The number of times the containers in this pod have been restarted and when the last container "
           "in this pod has restarted.",
           0,
           [](const Value& o) {
             long long restarts = 0;
             const Value* st = value_at(o, {"status", "containerStatuses"});
             if (st != nullptr && st->IsArray()) {
               for (const auto& c : st->GetArray()) restarts += num(c, {"restartCount"});
             }
             return text_cell(std::to_string(restarts));
           }},
          age_column(),
          {"IP", "string", "", "The IP address assigned to the pod", 1,
           [](const Value& o) {
             std::string ip = str_at(o, {"status", "podIP"});
             return text_cell(ip.empty() ? "<none>" : ip);
           }},
          {"Node", "string", "", "The name of the node assigned to the pod", 1,
           [](const Value& o) {
             std::string n = str_at(o, {"spec", "nodeName"});
             return text_cell(n.empty() ? "<none>" : n);
           }},
          {"Nominated Node", "string", "", "The name of the node nominated by the scheduler", 1,
           [](const Value& o) {
             std::string n = str_at(o, {"status", "nominatedNodeName"});
             return text_cell(n.empty() ? "<none>" : n);
           }},
          {"Readiness Gates", "string", "", "The readiness gates of the pod", 1,
           [](const Value&) { return text_cell("<none>"); }}};
}

std::vector<Column> persistentvolumeclaims_columns() {
  return {name_column(),
          {"Status", "string", "", "Status of the persistent volume claim", 0,
           [](const Value& o) {
             return text_cell(str_at(o, {"status", "phase"}));
           }},
          {"Volume", "string", "", "Volume bound to the claim", 0,
           [](const Value& o) {
             return text_cell(str_at(o, {"spec", "volumeName"}));
           }},
          {"Capacity", "string", "", "Capacity of the volume", 0,
           [](const Value& o) {
             return text_cell(str_at(o, {"status", "capacity", "storage"}));
           }},
          {"Access Modes", "string", "", "Access modes of the volume", 0,
           [](const Value& o) {
             std::string out;
             const Value* modes = value_at(o, {"status", "accessModes"});
             if (modes != nullptr && modes->IsArray()) {
               for (const auto& m : modes->GetArray()) {
                 std::string mode = m.IsString() ? m.GetString() : "";
                 std::string abbrev = mode == "ReadWriteOnce"      ? "RWO"
                                      : mode == "ReadOnlyMany"     ? "ROX"
                                      : mode == "ReadWriteMany"    ? "RWX"
                                      : mode == "ReadWriteOncePod" ? "RWOP"
                                                                   : mode;
                 out += (out.empty() ? "" : ",") + abbrev;
               }
             }
             return text_cell(out);
           }},
          {"StorageClass", "string", "", "StorageClass of the pvc", 0,
           [](const Value& o) {
             std::string sc = str_at(o, {"spec", "storageClassName"});
             return text_cell(sc.empty() ? "<unset>" : sc);
           }},
          {"VolumeAttributesClass", "string", "", "VolumeAttributesClass of the pvc", 0,
           [](const Value& o) {
             std::string c = str_at(o, {"spec", "volumeAttributesClassName"});
             return text_cell(c.empty() ? "<unset>" : c);
           }},
          age_column(),
          {"VolumeMode", "string", "", "VolumeMode of the volume", 1, [](const Value& o) {
             return text_cell(str_at(o, {"spec", "volumeMode"}));
           }}};
}

std::vector<Column> namespaces_columns() {
  return {name_column(),
          {"Status", "string", "", "The status of the namespace", 0,
           [](const Value& o) {
             return text_cell(str_at(o, {"status", "phase"}));
           }},
          age_column()};
}

std::vector<Column> configmaps_columns() {
  return {name_column(),
          {"Data", "string", "", "Data contains the configuration data.", 0,
           [](const Value& o) {
             long long n = 0;
             const Value* d = value_at(o, {"data"});
             if (d != nullptr && d->IsObject()) n += d->MemberCount();
             const Value* b = value_at(o, {"binaryData"});
             if (b != nullptr && b->IsObject()) n += b->MemberCount();
             return int_cell(n);
           }},
          age_column()};
}

std::vector<Column> deployments_columns() {
  std::vector<Column> cols{
      name_column(),
      {"Ready", "string", "", "Number of the pod with ready state", 0,
       [](const Value& o) {
         return text_cell(std::to_string(num(o, {"status", "readyReplicas"})) + "/" +
                          std::to_string(num(o, {"spec", "replicas"})));
       }},
      {"Up-to-date", "string", "",
       "Total number of non-terminated pods targeted by this deployment that have the desired template "
       "spec.",
       0,
       [](const Value& o) {
         return int_cell(num(o, {"status", "updatedReplicas"}));
       }},
      {"Available", "string", "",
       "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.", 0,
       [](const Value& o) {
         return int_cell(num(o, {"status", "availableReplicas"}));
       }},
      age_column()};
  for (auto& c : workload_extra(true)) cols.push_back(std::move(c));
  return cols;
}

std::vector<Column> statefulsets_columns() {
  std::vector<Column> cols{name_column(),
                           {"Ready", "string", "", "Number of the pod with ready state", 0,
                            [](const Value& o) {
                              return text_cell(std::to_string(num(o, {"status", "readyReplicas"})) + "/" +
                                               std::to_string(num(o, {"spec", "replicas"})));
                            }},
                           age_column()};
  for (auto& c : workload_extra(false)) cols.push_back(std::move(c));
  return cols;
}

std::vector<Column> replicasets_columns() {
  std::vector<Column> cols{name_column(),
                           {"Desired", "integer", "", "Number of desired pods.", 0,
                            [](const Value& o) {
                              return int_cell(num(o, {"spec", "replicas"}));
                            }},
                           {"Current", "integer", "", "Number of actual pods.", 0,
                            [](const Value& o) {
                              return int_cell(num(o, {"status", "replicas"}));
                            }},
                           {"Ready", "integer", "", "Number of ready pods.", 0,
                            [](const Value& o) {
                              return int_cell(num(o, {"status", "readyReplicas"}));
                            }},
                           age_column()};
  for (auto& c : workload_extra(true)) cols.push_back(std::move(c));
  return cols;
}

std::vector<Column> cronjobs_columns() {
  return {
      name_column(),
      {"Schedule", "string", "", "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.", 0,
       [](const Value& o) {
         return text_cell(str_at(o, {"spec", "schedule"}));
       }},
      {"Timezone", "string", "", "The time zone name for the given schedule.", 0,
       [](const Value& o) {
         std::string tz = str_at(o, {"spec", "timeZone"});
         return text_cell(tz.empty() ? "<none>" : tz);
       }},
      {"Suspend", "boolean", "", "This flag tells the controller to suspend subsequent executions.", 0,
       [](const Value& o) {
         const Value* v = value_at(o, {"spec", "suspend"});
         return text_cell(v != nullptr && v->IsBool() && v->GetBool() ? "True" : "False");
       }},
      {"Active", "integer", "", "A list of pointers to currently running jobs.", 0,
       [](const Value& o) {
         const Value* a = value_at(o, {"status", "active"});
         return int_cell(a != nullptr && a->IsArray() ? a->Size() : 0);
       }},
      {"Last Schedule", "string", "",
       "Information when was the last time the job was successfully scheduled.", 0,
       [](const Value& o) {
         std::string t = str_at(o, {"status", "lastScheduleTime"});
         return text_cell(t.empty() ? "<none>" : age_of_timestamp(t));
       }},
      age_column(),
      {"Containers", "string", "", "Names of each container in the template.", 1,
       [](const Value& o) {
         return text_cell(
             containers_field(value_at(o, {"spec", "jobTemplate", "spec", "template", "spec"}), "name"));
       }},
      {"Images", "string", "", "Images referenced by each container in the template.", 1,
       [](const Value& o) {
         return text_cell(
             containers_field(value_at(o, {"spec", "jobTemplate", "spec", "template", "spec"}), "image"));
       }},
      {"Selector", "string", "", "Label selector for pods.", 1, [](const Value& o) {
         return text_cell(selector_text(value_at(o, {"spec", "jobTemplate", "spec", "selector"})));
       }}};
}

std::vector<Column> customresourcedefinitions_columns() {
  return {name_column(), {"Created At", "date", "", "", 0, [](const Value& o) {
                            return text_cell(str_at(o, {"metadata", "creationTimestamp"}));
                          }}};
}

std::vector<Column> columns_for(const ResourceType& type) {
  const std::string& p = type.plural;
  if (!type.builtin) return custom_resource_columns(type);
  if (p == "pods") return pods_columns();
  if (p == "persistentvolumeclaims") return persistentvolumeclaims_columns();
  if (p == "namespaces") return namespaces_columns();
  if (p == "configmaps") return configmaps_columns();
  if (p == "deployments") return deployments_columns();
  if (p == "statefulsets") return statefulsets_columns();
  if (p == "replicasets") return replicasets_columns();
  if (p == "cronjobs") return cronjobs_columns();
  if (p == "customresourcedefinitions") return customresourcedefinitions_columns();
  return {name_column(), age_column()};
}

}  // namespace

std::string human_duration(long long s) {
  if (s < 0) s = 0;
  if (s < 120) return std::to_string(s) + "s";
  long long m = s / 60;
  if (m < 10) {
    long long rs = s % 60;
    return rs == 0 ? std::to_string(m) + "m" : std::to_string(m) + "m" + std::to_string(rs) + "s";
  }
  if (m < 180) return std::to_string(m) + "m";
  long long h = s / 3600;
  if (h < 8) {
    long long rm = m % 60;
    return rm == 0 ? std::to_string(h) + "h" : std::to_string(h) + "h" + std::to_string(rm) + "m";
  }
  if (h < 48) return std::to_string(h) + "h";
  if (h < 192) {
    long long rh = h % 24;
    return rh == 0 ? std::to_string(h / 24) + "d" : std::to_string(h / 24) + "d" + std::to_string(rh) + "h";
  }
  if (h < 24 * 365 * 2) return std::to_string(h / 24) + "d";
  long long y = h / 24 / 365;
  if (h < 24 * 365 * 8) {
    long long dy = (h / 24) % 365;
    return dy == 0 ? std::to_string(y) + "y" : std::to_string(y) + "y" + std::to_string(dy) + "d";
  }
  return std::to_string(y) + "y";
}

std::string table_json(const ResourceType& type, const std::vector<Object>& objects,
                       std::uint64_t resource_version, const std::string& continue_token,
                       const std::string& include_object) {
  auto columns = columns_for(type);
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  w.Key("kind");
  w.String("Table");
  w.Key("apiVersion");
  w.String("meta.k8s.io/v1");
  w.Key("metadata");
  w.StartObject();
  w.Key("resourceVersion");
  w.String(std::to_string(resource_version));
  if (!continue_token.empty()) {
    w.Key("continue");
    w.String(continue_token);
  }
  w.EndObject();
  w.Key("columnDefinitions");
  w.StartArray();
  for (const auto& c : columns) {
    w.StartObject();
    w.Key("name");
    w.String(c.name);
    w.Key("type");
    w.String(c.type);
    w.Key("format");
    w.String(c.format);
    w.Key("description");
    w.String(c.description);
    w.Key("priority");
    w.Int(c.priority);
    w.EndObject();
  }
  w.EndArray();
  w.Key("rows");
  w.StartArray();
  for (const auto& obj : objects) {
    w.StartObject();
    w.Key("cells");
    w.StartArray();
    for (const auto& c : columns) {
      Cell cell = c.cell(*obj);
      if (cell.is_int) {
        w.Int64(cell.i);
      } else {
        w.String(cell.s);
      }
    }
    w.EndArray();
    if (include_object != "None") {
      w.Key("object");
      if (include_object == "Object") {
        obj->Accept(w);
      } else {
        w.StartObject();
        w.Key("kind");
        w.String("PartialObjectMetadata");
        w.Key("apiVersion");
        w.String("meta.k8s.io/v1");
        w.Key("metadata");
        const Value* meta = value_at(*obj, {"metadata"});
        if (meta != nullptr) {
          meta->Accept(w);
        } else {
          w.StartObject();
          w.EndObject();
        }
        w.EndObject();
      }
    }
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace emu
