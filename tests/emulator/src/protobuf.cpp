#include "protobuf.hpp"

#include <cstdint>
#include <ctime>
#include <map>
#include <string>
#include <vector>

#include "errors.hpp"

namespace emu {

namespace {

using rapidjson::Value;
using Allocator = rapidjson::Document::AllocatorType;

enum class Kind {
  String,
  OptString,  // *string: kept when empty
  Int,        // int32/int64, omitempty
  OptInt,     // *int32/*int64: kept when zero
  Bool,       // omitempty
  OptBool,    // *bool
  Message,
  RepeatedString,
  RepeatedMessage,
  MapString,    // map<string,string>
  MapBytes,     // map<string,bytes> -> base64
  MapQuantity,  // map<string,Quantity>
  Quantity,
  Time,
  IntOrString,
};

struct Schema;
struct Field {
  int number;
  const char* name;
  Kind kind;
  const Schema* schema = nullptr;
};
struct Schema {
  std::vector<Field> fields;
  const Field* find(int n) const {
    for (const auto& f : fields) {
      if (f.number == n) return &f;
    }
    return nullptr;
  }
};

// ---- schemas (k8s.io/api generated.proto field numbers) ----

const Schema kEmpty{};
const Schema kOwnerReference{{{5, "apiVersion", Kind::String},
                              {1, "kind", Kind::String},
                              {3, "name", Kind::String},
                              {4, "uid", Kind::String},
                              {6, "controller", Kind::OptBool},
                              {7, "blockOwnerDeletion", Kind::OptBool}}};
const Schema kObjectMeta{{{1, "name", Kind::String},
                          {2, "generateName", Kind::String},
                          {3, "namespace", Kind::String},
                          {5, "uid", Kind::String},
                          {6, "resourceVersion", Kind::String},
                          {7, "generation", Kind::Int},
                          {8, "creationTimestamp", Kind::Time},
                          {9, "deletionTimestamp", Kind::Time},
                          {10, "deletionGracePeriodSeconds", Kind::OptInt},
                          {11, "labels", Kind::MapString},
                          {12, "annotations", Kind::MapString},
                          {13, "ownerReferences", Kind::RepeatedMessage, &kOwnerReference},
                          {14, "finalizers", Kind::RepeatedString}}};
const Schema kLabelSelectorRequirement{
    {{1, "key", Kind::String}, {2, "operator", Kind::String}, {3, "values", Kind::RepeatedString}}};
const Schema kLabelSelector{{{1, "matchLabels", Kind::MapString},
                             {2, "matchExpressions", Kind::RepeatedMessage, &kLabelSelectorRequirement}}};
const Schema kContainerPort{{{1, "name", Kind::String},
                             {2, "hostPort", Kind::Int},
                             {3, "containerPort", Kind::OptInt},
                             {4, "protocol", Kind::String},
                             {5, "hostIP", Kind::String}}};
const Schema kEnvVar{{{1, "name", Kind::String}, {2, "value", Kind::String}}};
const Schema kResources{{{1, "limits", Kind::MapQuantity}, {2, "requests", Kind::MapQuantity}}};
const Schema kVolumeMount{{{1, "name", Kind::String},
                           {2, "readOnly", Kind::Bool},
                           {3, "mountPath", Kind::String},
                           {4, "subPath", Kind::String}}};
const Schema kContainer{{{1, "name", Kind::String},
                         {2, "image", Kind::String},
                         {3, "command", Kind::RepeatedString},
                         {4, "args", Kind::RepeatedString},
                         {5, "workingDir", Kind::String},
                         {6, "ports", Kind::RepeatedMessage, &kContainerPort},
                         {7, "env", Kind::RepeatedMessage, &kEnvVar},
                         {8, "resources", Kind::Message, &kResources},
                         {9, "volumeMounts", Kind::RepeatedMessage, &kVolumeMount},
                         {13, "terminationMessagePath", Kind::String},
                         {14, "imagePullPolicy", Kind::String},
                         {16, "stdin", Kind::Bool},
                         {17, "stdinOnce", Kind::Bool},
                         {18, "tty", Kind::Bool},
                         {20, "terminationMessagePolicy", Kind::String},
                         {24, "restartPolicy", Kind::OptString}}};
const Schema kLocalObjectReference{{{1, "name", Kind::String}}};
const Schema kPodSpec{{{2, "containers", Kind::RepeatedMessage, &kContainer},
                       {20, "initContainers", Kind::RepeatedMessage, &kContainer},
                       {3, "restartPolicy", Kind::String},
                       {4, "terminationGracePeriodSeconds", Kind::OptInt},
                       {5, "activeDeadlineSeconds", Kind::OptInt},
                       {6, "dnsPolicy", Kind::String},
                       {7, "nodeSelector", Kind::MapString},
                       {8, "serviceAccountName", Kind::String},
                       {9, "serviceAccount", Kind::String},
                       {21, "automountServiceAccountToken", Kind::OptBool},
                       {10, "nodeName", Kind::String},
                       {11, "hostNetwork", Kind::Bool},
                       {15, "imagePullSecrets", Kind::RepeatedMessage, &kLocalObjectReference},
                       {16, "hostname", Kind::String},
                       {17, "subdomain", Kind::String},
                       {19, "schedulerName", Kind::String},
                       {24, "priorityClassName", Kind::String},
                       {25, "priority", Kind::OptInt},
                       {30, "enableServiceLinks", Kind::OptBool}}};
const Schema kPodTemplateSpec{
    {{1, "metadata", Kind::Message, &kObjectMeta}, {2, "spec", Kind::Message, &kPodSpec}}};
const Schema kPodStatus{{{1, "phase", Kind::String}}};
const Schema kPod{{{1, "metadata", Kind::Message, &kObjectMeta},
                   {2, "spec", Kind::Message, &kPodSpec},
                   {3, "status", Kind::Message, &kPodStatus}}};
const Schema kNamespaceSpec{{{1, "finalizers", Kind::RepeatedString}}};
const Schema kNamespaceStatus{{{1, "phase", Kind::String}}};
const Schema kNamespace{{{1, "metadata", Kind::Message, &kObjectMeta},
                         {2, "spec", Kind::Message, &kNamespaceSpec},
                         {3, "status", Kind::Message, &kNamespaceStatus}}};
const Schema kConfigMap{{{1, "metadata", Kind::Message, &kObjectMeta},
                         {2, "data", Kind::MapString},
                         {3, "binaryData", Kind::MapBytes},
                         {4, "immutable", Kind::OptBool}}};
const Schema kRollingUpdateDeployment{
    {{1, "maxUnavailable", Kind::IntOrString}, {2, "maxSurge", Kind::IntOrString}}};
const Schema kDeploymentStrategy{
    {{1, "type", Kind::String}, {2, "rollingUpdate", Kind::Message, &kRollingUpdateDeployment}}};
const Schema kDeploymentSpec{{{1, "replicas", Kind::OptInt},
                              {2, "selector", Kind::Message, &kLabelSelector},
                              {3, "template", Kind::Message, &kPodTemplateSpec},
                              {4, "strategy", Kind::Message, &kDeploymentStrategy},
                              {5, "minReadySeconds", Kind::Int},
                              {6, "revisionHistoryLimit", Kind::OptInt},
                              {7, "paused", Kind::Bool},
                              {9, "progressDeadlineSeconds", Kind::OptInt}}};
const Schema kDeployment{{{1, "metadata", Kind::Message, &kObjectMeta},
                          {2, "spec", Kind::Message, &kDeploymentSpec},
                          {3, "status", Kind::Message, &kEmpty}}};
const Schema kStatefulSetSpec{{{1, "replicas", Kind::OptInt},
                               {2, "selector", Kind::Message, &kLabelSelector},
                               {3, "template", Kind::Message, &kPodTemplateSpec},
                               {5, "serviceName", Kind::String},
                               {6, "podManagementPolicy", Kind::String},
                               {8, "revisionHistoryLimit", Kind::OptInt},
                               {9, "minReadySeconds", Kind::Int}}};
const Schema kStatefulSet{{{1, "metadata", Kind::Message, &kObjectMeta},
                           {2, "spec", Kind::Message, &kStatefulSetSpec},
                           {3, "status", Kind::Message, &kEmpty}}};
const Schema kReplicaSetSpec{{{1, "replicas", Kind::OptInt},
                              {2, "selector", Kind::Message, &kLabelSelector},
                              {3, "template", Kind::Message, &kPodTemplateSpec},
                              {4, "minReadySeconds", Kind::Int}}};
const Schema kReplicaSet{{{1, "metadata", Kind::Message, &kObjectMeta},
                          {2, "spec", Kind::Message, &kReplicaSetSpec},
                          {3, "status", Kind::Message, &kEmpty}}};
const Schema kJobSpec{{{1, "parallelism", Kind::OptInt},
                       {2, "completions", Kind::OptInt},
                       {3, "activeDeadlineSeconds", Kind::OptInt},
                       {4, "selector", Kind::Message, &kLabelSelector},
                       {5, "manualSelector", Kind::OptBool},
                       {6, "template", Kind::Message, &kPodTemplateSpec},
                       {7, "backoffLimit", Kind::OptInt},
                       {8, "ttlSecondsAfterFinished", Kind::OptInt},
                       {9, "completionMode", Kind::OptString},
                       {10, "suspend", Kind::OptBool}}};
const Schema kJobTemplateSpec{
    {{1, "metadata", Kind::Message, &kObjectMeta}, {2, "spec", Kind::Message, &kJobSpec}}};
const Schema kCronJobSpec{{{1, "schedule", Kind::String},
                           {8, "timeZone", Kind::OptString},
                           {2, "startingDeadlineSeconds", Kind::OptInt},
                           {3, "concurrencyPolicy", Kind::String},
                           {4, "suspend", Kind::OptBool},
                           {5, "jobTemplate", Kind::Message, &kJobTemplateSpec},
                           {6, "successfulJobsHistoryLimit", Kind::OptInt},
                           {7, "failedJobsHistoryLimit", Kind::OptInt}}};
const Schema kCronJob{{{1, "metadata", Kind::Message, &kObjectMeta},
                       {2, "spec", Kind::Message, &kCronJobSpec},
                       {3, "status", Kind::Message, &kEmpty}}};

const Schema* schema_for(const std::string& api_version, const std::string& kind) {
  static const std::map<std::string, const Schema*> schemas{
      {"v1/Namespace", &kNamespace},
      {"v1/ConfigMap", &kConfigMap},
      {"v1/Pod", &kPod},
      {"apps/v1/Deployment", &kDeployment},
      {"apps/v1/StatefulSet", &kStatefulSet},
      {"apps/v1/ReplicaSet", &kReplicaSet},
      {"batch/v1/CronJob", &kCronJob},
  };
  auto it = schemas.find(api_version + "/" + kind);
  return it == schemas.end() ? nullptr : it->second;
}

// ---- wire format ----

struct Reader {
  const unsigned char* p;
  const unsigned char* end;

  bool done() const { return p >= end; }
  [[noreturn]] static void fail() {
    throw errors::bad_request("unable to decode protobuf body: unexpected EOF or malformed field");
  }
  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p >= end) fail();
      unsigned char b = *p++;
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
    fail();
  }
  std::string_view bytes() {
    std::uint64_t n = varint();
    if (n > static_cast<std::uint64_t>(end - p)) fail();
    std::string_view s(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
    p += n;
    return s;
  }
  void skip(int wire) {
    switch (wire) {
      case 0:
        varint();
        break;
      case 1:
        if (end - p < 8) fail();
        p += 8;
        break;
      case 2:
        bytes();
        break;
      case 5:
        if (end - p < 4) fail();
        p += 4;
        break;
      default:
        fail();
    }
  }
};

std::string base64(std::string_view in) {
  static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8 | (unsigned char)in[i + 2];
    out += t[v >> 18];
    out += t[(v >> 12) & 63];
    out += t[(v >> 6) & 63];
    out += t[v & 63];
  }
  if (i + 1 == in.size()) {
    unsigned v = (unsigned char)in[i] << 16;
    out += t[v >> 18];
    out += t[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8;
    out += t[v >> 18];
    out += t[(v >> 12) & 63];
    out += t[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

Value decode_message(std::string_view data, const Schema& schema, Allocator& a);

// A map entry: key = 1, value = 2.
std::pair<std::string, std::string_view> map_entry(std::string_view data) {
  Reader r{reinterpret_cast<const unsigned char*>(data.data()),
           reinterpret_cast<const unsigned char*>(data.data()) + data.size()};
  std::string key;
  std::string_view value;
  while (!r.done()) {
    std::uint64_t tag = r.varint();
    int number = static_cast<int>(tag >> 3), wire = static_cast<int>(tag & 7);
    if (wire != 2) {
      r.skip(wire);
      continue;
    }
    std::string_view v = r.bytes();
    if (number == 1) key = std::string(v);
    if (number == 2) value = v;
  }
  return {key, value};
}

std::string quantity(std::string_view data) {
  Reader r{reinterpret_cast<const unsigned char*>(data.data()),
           reinterpret_cast<const unsigned char*>(data.data()) + data.size()};
  std::string s;
  while (!r.done()) {
    std::uint64_t tag = r.varint();
    if ((tag >> 3) == 1 && (tag & 7) == 2) {
      s = std::string(r.bytes());
    } else {
      r.skip(static_cast<int>(tag & 7));
    }
  }
  return s;
}

Value& member(Value& object, const char* name, Value init, Allocator& a) {
  auto it = object.FindMember(name);
  if (it != object.MemberEnd()) return it->value;
  object.AddMember(Value(rapidjson::StringRef(name)), init, a);
  return object[name];
}

Value decode_message(std::string_view data, const Schema& schema, Allocator& a) {
  Value out(rapidjson::kObjectType);
  Reader r{reinterpret_cast<const unsigned char*>(data.data()),
           reinterpret_cast<const unsigned char*>(data.data()) + data.size()};
  while (!r.done()) {
    std::uint64_t tag = r.varint();
    int number = static_cast<int>(tag >> 3), wire = static_cast<int>(tag & 7);
    const Field* f = schema.find(number);
    if (f == nullptr) {
      r.skip(wire);
      continue;
    }
    auto name = rapidjson::StringRef(f->name);
    switch (f->kind) {
      case Kind::String:
      case Kind::OptString: {
        if (wire != 2) Reader::fail();
        std::string_view s = r.bytes();
        out.EraseMember(f->name);
        if (!s.empty() || f->kind == Kind::OptString)
          out.AddMember(name, Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), a), a);
        break;
      }
      case Kind::Int:
      case Kind::OptInt: {
        if (wire != 0) Reader::fail();
        auto v = static_cast<std::int64_t>(r.varint());
        if (v > INT32_MAX && v <= UINT32_MAX && f->kind != Kind::Int) v = static_cast<std::int32_t>(v);
        out.EraseMember(f->name);
        if (v != 0 || f->kind == Kind::OptInt) out.AddMember(name, Value(v), a);
        break;
      }
      case Kind::Bool:
      case Kind::OptBool: {
        if (wire != 0) Reader::fail();
        bool v = r.varint() != 0;
        out.EraseMember(f->name);
        if (v || f->kind == Kind::OptBool) out.AddMember(name, Value(v), a);
        break;
      }
      case Kind::Message: {
        if (wire != 2) Reader::fail();
        Value v = decode_message(r.bytes(), *f->schema, a);
        out.EraseMember(f->name);
        out.AddMember(name, v, a);
        break;
      }
      case Kind::RepeatedString: {
        if (wire != 2) Reader::fail();
        std::string_view s = r.bytes();
        member(out, f->name, Value(rapidjson::kArrayType), a)
            .PushBack(Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), a), a);
        break;
      }
      case Kind::RepeatedMessage: {
        if (wire != 2) Reader::fail();
        Value v = decode_message(r.bytes(), *f->schema, a);
        member(out, f->name, Value(rapidjson::kArrayType), a).PushBack(v, a);
        break;
      }
      case Kind::MapString:
      case Kind::MapBytes:
      case Kind::MapQuantity: {
        if (wire != 2) Reader::fail();
        auto [key, value] = map_entry(r.bytes());
        std::string text = f->kind == Kind::MapString  ? std::string(value)
                           : f->kind == Kind::MapBytes ? base64(value)
                                                       : quantity(value);
        Value& map = member(out, f->name, Value(rapidjson::kObjectType), a);
        map.EraseMember(key.c_str());
        map.AddMember(Value(key, a), Value(text, a), a);
        break;
      }
      case Kind::Quantity: {
        if (wire != 2) Reader::fail();
        out.EraseMember(f->name);
        out.AddMember(name, Value(quantity(r.bytes()), a), a);
        break;
      }
      case Kind::Time: {
        if (wire != 2) Reader::fail();
        std::string_view t = r.bytes();
        Reader tr{reinterpret_cast<const unsigned char*>(t.data()),
                  reinterpret_cast<const unsigned char*>(t.data()) + t.size()};
        std::int64_t seconds = 0;
        while (!tr.done()) {
          std::uint64_t tt = tr.varint();
          if ((tt >> 3) == 1 && (tt & 7) == 0) {
            seconds = static_cast<std::int64_t>(tr.varint());
          } else {
            tr.skip(static_cast<int>(tt & 7));
          }
        }
        out.EraseMember(f->name);
        if (seconds != 0) {
          std::time_t tt = static_cast<std::time_t>(seconds);
          std::tm tm{};
          gmtime_r(&tt, &tm);
          char buf[32];
          std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
          out.AddMember(name, Value(buf, a), a);
        }
        break;
      }
      case Kind::IntOrString: {
        if (wire != 2) Reader::fail();
        std::string_view d = r.bytes();
        Reader ir{reinterpret_cast<const unsigned char*>(d.data()),
                  reinterpret_cast<const unsigned char*>(d.data()) + d.size()};
        std::int64_t type = 0, int_val = 0;
        std::string str_val;
        while (!ir.done()) {
          std::uint64_t it = ir.varint();
          int n = static_cast<int>(it >> 3), w = static_cast<int>(it & 7);
          if (n == 1 && w == 0) {
            type = static_cast<std::int64_t>(ir.varint());
          } else if (n == 2 && w == 0) {
            int_val = static_cast<std::int32_t>(ir.varint());
          } else if (n == 3 && w == 2) {
            str_val = std::string(ir.bytes());
          } else {
            ir.skip(w);
          }
        }
        out.EraseMember(f->name);
        if (type == 1) {
          out.AddMember(name, Value(str_val, a), a);
        } else {
          out.AddMember(name, Value(int_val), a);
        }
        break;
      }
    }
  }
  return out;
}

}  // namespace

rapidjson::Document decode_protobuf(std::string_view body) {
  static const std::string_view magic("k8s\0", 4);
  if (body.size() < 4 || body.substr(0, 4) != magic) {
    throw errors::bad_request(
        "provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]");
  }
  std::string_view envelope = body.substr(4);
  Reader r{reinterpret_cast<const unsigned char*>(envelope.data()),
           reinterpret_cast<const unsigned char*>(envelope.data()) + envelope.size()};
  std::string api_version, kind;
  std::string_view raw;
  while (!r.done()) {
    std::uint64_t tag = r.varint();
    int number = static_cast<int>(tag >> 3), wire = static_cast<int>(tag & 7);
    if (number == 1 && wire == 2) {
      std::string_view tm = r.bytes();
      Reader tr{reinterpret_cast<const unsigned char*>(tm.data()),
                reinterpret_cast<const unsigned char*>(tm.data()) + tm.size()};
      while (!tr.done()) {
        std::uint64_t t = tr.varint();
        if ((t & 7) != 2) {
          tr.skip(static_cast<int>(t & 7));
          continue;
        }
        std::string_view s = tr.bytes();
        if ((t >> 3) == 1) api_version = std::string(s);
        if ((t >> 3) == 2) kind = std::string(s);
      }
    } else if (number == 2 && wire == 2) {
      raw = r.bytes();
    } else {
      r.skip(wire);
    }
  }
  const Schema* schema = schema_for(api_version, kind);
  if (schema == nullptr) {
    throw errors::unsupported_media_type(
        "the body of the request was in an unknown format - accepted media types include: "
        "application/json, application/yaml");
  }
  rapidjson::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  Value fields = decode_message(raw, *schema, a);
  doc.AddMember("kind", Value(kind, a), a);
  doc.AddMember("apiVersion", Value(api_version, a), a);
  for (auto& m : fields.GetObject()) doc.AddMember(m.name, m.value, a);
  return doc;
}

}  // namespace emu
