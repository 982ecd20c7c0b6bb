#include "table.hpp"

#include <ctime>
#include <functional>

namespace emu {

namespace {

std::string str(const rapidjson::Value& object, std::initializer_list<const char*> path, const std::string& fallback = "") {
  const rapidjson::Value* node = &object;
  for (const char* key : path) {
    if (!node->IsObject() || !node->HasMember(key)) return fallback;
    node = &(*node)[key];
  }
  if (node->IsString()) return node->GetString();
  if (node->IsInt64()) return std::to_string(node->GetInt64());
  if (node->IsBool()) return node->GetBool() ? "true" : "false";
  return fallback;
}

long long num(const rapidjson::Value& object, std::initializer_list<const char*> path, long long fallback = 0) {
  const rapidjson::Value* node = &object;
  for (const char* key : path) {
    if (!node->IsObject() || !node->HasMember(key)) return fallback;
    node = &(*node)[key];
  }
  return node->IsInt64() ? node->GetInt64() : fallback;
}

// kubectl's HumanDuration (what the server puts in AGE cells).
std::string age_of(const rapidjson::Value& object) {
  std::string created = str(object, {"metadata", "creationTimestamp"});
  if (created.size() < 19) return "<unknown>";
  std::tm tm{};
  strptime(created.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  long long s = static_cast<long long>(std::difftime(std::time(nullptr), timegm(&tm)));
  if (s < 0) s = 0;
  if (s < 120) return std::to_string(s) + "s";
  long long m = s / 60;
  if (m < 10) return s % 60 == 0 ? std::to_string(m) + "m" : std::to_string(m) + "m" + std::to_string(s % 60) + "s";
  if (m < 180) return std::to_string(m) + "m";
  long long h = s / 3600;
  if (h < 8) return m % 60 == 0 ? std::to_string(h) + "h" : std::to_string(h) + "h" + std::to_string(m % 60) + "m";
  if (h < 48) return std::to_string(h) + "h";
  if (h < 192) return h % 24 == 0 ? std::to_string(h / 24) + "d" : std::to_string(h / 24) + "d" + std::to_string(h % 24) + "h";
  return std::to_string(h / 24) + "d";
}

struct Column {
  std::string name;
  std::string type;
  int priority = 0;
  std::function<rapidjson::Value(const rapidjson::Value&, rapidjson::Document::AllocatorType&)> cell;
};

rapidjson::Value text(const std::string& s, rapidjson::Document::AllocatorType& a) { return rapidjson::Value(s.c_str(), a); }

std::vector<Column> columns_for(const ResourceType& type) {
  using A = rapidjson::Document::AllocatorType;
  auto name = Column{"Name", "string", 0, [](const rapidjson::Value& o, A& a) { return text(str(o, {"metadata", "name"}), a); }};
  auto age = Column{"Age", "string", 0, [](const rapidjson::Value& o, A& a) { return text(age_of(o), a); }};
  const std::string& p = type.plural;
  if (p == "pods") {
    return {name,
            {"Ready", "string", 0,
             [](const rapidjson::Value& o, A& a) {
               long long total = 0;
               long long ready = 0;
               if (o.HasMember("spec") && o["spec"].HasMember("containers") && o["spec"]["containers"].IsArray()) {
                 total = o["spec"]["containers"].Size();
               }
               if (o.HasMember("status") && o["status"].HasMember("containerStatuses") &&
                   o["status"]["containerStatuses"].IsArray()) {
                 for (const auto& c : o["status"]["containerStatuses"].GetArray()) {
                   if (c.HasMember("ready") && c["ready"].IsBool() && c["ready"].GetBool()) ++ready;
                 }
               }
               return text(std::to_string(ready) + "/" + std::to_string(total), a);
             }},
            {"Status", "string", 0, [](const rapidjson::Value& o, A& a) { return text(str(o, {"status", "phase"}, "Pending"), a); }},
            {"Restarts", "string", 0, [](const rapidjson::Value&, A& a) { return text("0", a); }},
            age,
            {"IP", "string", 1, [](const rapidjson::Value& o, A& a) { return text(str(o, {"status", "podIP"}, "<none>"), a); }},
            {"Node", "string", 1, [](const rapidjson::Value& o, A& a) { return text(str(o, {"spec", "nodeName"}, "<none>"), a); }}};
  }
  if (p == "namespaces") {
    return {name, {"Status", "string", 0, [](const rapidjson::Value& o, A& a) { return text(str(o, {"status", "phase"}, "Active"), a); }}, age};
  }
  if (p == "statefulsets") {
    return {name,
            {"Ready", "string", 0,
             [](const rapidjson::Value& o, A& a) {
               return text(std::to_string(num(o, {"status", "readyReplicas"})) + "/" + std::to_string(num(o, {"spec", "replicas"}, 1)), a);
             }},
            age};
  }
  if (p == "deployments") {
    return {name,
            {"Ready", "string", 0,
             [](const rapidjson::Value& o, A& a) {
               return text(std::to_string(num(o, {"status", "readyReplicas"})) + "/" + std::to_string(num(o, {"spec", "replicas"}, 1)), a);
             }},
            {"Up-to-date", "integer", 0, [](const rapidjson::Value& o, A&) { return rapidjson::Value(static_cast<int64_t>(num(o, {"status", "updatedReplicas"}))); }},
            {"Available", "integer", 0, [](const rapidjson::Value& o, A&) { return rapidjson::Value(static_cast<int64_t>(num(o, {"status", "availableReplicas"}))); }},
            age};
  }
  if (p == "replicasets") {
    return {name,
            {"Desired", "integer", 0, [](const rapidjson::Value& o, A&) { return rapidjson::Value(static_cast<int64_t>(num(o, {"spec", "replicas"}, 1))); }},
            {"Current", "integer", 0, [](const rapidjson::Value& o, A&) { return rapidjson::Value(static_cast<int64_t>(num(o, {"status", "replicas"}))); }},
            {"Ready", "integer", 0, [](const rapidjson::Value& o, A&) { return rapidjson::Value(static_cast<int64_t>(num(o, {"status", "readyReplicas"}))); }},
            age};
  }
  if (p == "cronjobs") {
    return {name,
            {"Schedule", "string", 0, [](const rapidjson::Value& o, A& a) { return text(str(o, {"spec", "schedule"}), a); }},
            {"Timezone", "string", 0, [](const rapidjson::Value& o, A& a) { return text(str(o, {"spec", "timeZone"}, "<none>"), a); }},
            {"Suspend", "boolean", 0, [](const rapidjson::Value& o, A& a) { return text(str(o, {"spec", "suspend"}, "false") , a); }},
            {"Active", "integer", 0, [](const rapidjson::Value&, A&) { return rapidjson::Value(0); }},
            {"Last Schedule", "string", 0, [](const rapidjson::Value&, A& a) { return text("<none>", a); }},
            age};
  }
  if (p == "configmaps") {
    return {name,
            {"Data", "integer", 0,
             [](const rapidjson::Value& o, A&) {
               return rapidjson::Value(static_cast<int64_t>(o.HasMember("data") && o["data"].IsObject() ? o["data"].MemberCount() : 0));
             }},
            age};
  }
  if (p == "customresourcedefinitions") {
    return {name, {"Created At", "date", 0, [](const rapidjson::Value& o, A& a) { return text(str(o, {"metadata", "creationTimestamp"}), a); }}};
  }
  return {name, age};
}

void add_row(rapidjson::Value& rows, const ResourceType& type, const std::vector<Column>& columns, const rapidjson::Value& object,
             rapidjson::Document::AllocatorType& a) {
  rapidjson::Value row(rapidjson::kObjectType);
  rapidjson::Value cells(rapidjson::kArrayType);
  for (const auto& column : columns) cells.PushBack(column.cell(object, a), a);
  row.AddMember("cells", cells, a);
  // The object as PartialObjectMetadata: kubectl needs the namespace and name (-A, -o name).
  rapidjson::Value partial(rapidjson::kObjectType);
  partial.AddMember("kind", "PartialObjectMetadata", a);
  partial.AddMember("apiVersion", "meta.k8s.io/v1", a);
  rapidjson::Value metadata(object["metadata"], a);
  partial.AddMember("metadata", metadata, a);
  row.AddMember("object", partial, a);
  (void)type;
  rows.PushBack(row, a);
}

std::string table(const ResourceType& type, const std::vector<const rapidjson::Value*>& objects, const rapidjson::Value* list_metadata) {
  rapidjson::Document out(rapidjson::kObjectType);
  auto& a = out.GetAllocator();
  out.AddMember("kind", "Table", a);
  out.AddMember("apiVersion", "meta.k8s.io/v1", a);
  rapidjson::Value metadata(rapidjson::kObjectType);
  if (list_metadata != nullptr) metadata.CopyFrom(*list_metadata, a);
  out.AddMember("metadata", metadata, a);
  auto columns = columns_for(type);
  rapidjson::Value definitions(rapidjson::kArrayType);
  for (const auto& column : columns) {
    rapidjson::Value definition(rapidjson::kObjectType);
    definition.AddMember("name", text(column.name, a), a);
    definition.AddMember("type", text(column.type, a), a);
    definition.AddMember("format", rapidjson::StringRef(column.name == "Name" ? "name" : ""), a);
    definition.AddMember("description", "", a);
    definition.AddMember("priority", column.priority, a);
    definitions.PushBack(definition, a);
  }
  out.AddMember("columnDefinitions", definitions, a);
  rapidjson::Value rows(rapidjson::kArrayType);
  for (const auto* object : objects) add_row(rows, type, columns, *object, a);
  out.AddMember("rows", rows, a);
  return to_string(out);
}

}  // namespace

std::string table_for_list(const ResourceType& type, const std::string& list_json) {
  rapidjson::Document list;
  list.Parse(list_json.c_str(), list_json.size());
  std::vector<const rapidjson::Value*> objects;
  for (const auto& item : list["items"].GetArray()) objects.push_back(&item);
  return table(type, objects, &list["metadata"]);
}

std::string table_for_object(const ResourceType& type, const std::string& object_json) {
  rapidjson::Document object;
  object.Parse(object_json.c_str(), object_json.size());
  rapidjson::Document metadata(rapidjson::kObjectType);
  metadata.AddMember("resourceVersion", rapidjson::Value(object["metadata"]["resourceVersion"], metadata.GetAllocator()),
                     metadata.GetAllocator());
  return table(type, {&object}, &metadata);
}

}  // namespace emu
