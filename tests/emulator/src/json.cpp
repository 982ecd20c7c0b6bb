// JSON helpers shared by the store, the server and the simulation, and small generators (time,
// UIDs). See json.hpp.
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <random>

#include "json.hpp"

#include "errors.hpp"

namespace emu {

rapidjson::Document copy_object(const rapidjson::Value& object) {
  rapidjson::Document copy;
  copy.CopyFrom(object, copy.GetAllocator());
  return copy;
}

std::string to_json(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

rapidjson::Document parse_json(std::string_view text) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError()) {
    throw errors::bad_request(std::string("json parse error: ") +
                              rapidjson::GetParseError_En(doc.GetParseError()));
  }
  return doc;
}

const rapidjson::Value* value_at(const rapidjson::Value& object, std::initializer_list<const char*> path) {
  const rapidjson::Value* current = &object;
  for (const char* key : path) {
    if (!current->IsObject()) return nullptr;
    auto it = current->FindMember(key);
    if (it == current->MemberEnd()) return nullptr;
    current = &it->value;
  }
  return current;
}

std::string str_at(const rapidjson::Value& object, std::initializer_list<const char*> path) {
  const rapidjson::Value* v = value_at(object, path);
  return v != nullptr && v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : std::string();
}

std::string now_rfc3339() {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string new_uid() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  std::uint64_t a = random(), b = random();
  a = (a & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  b = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 10
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xffff),
                static_cast<unsigned>(b >> 48), static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

rapidjson::Value& ensure_object(rapidjson::Value& parent, const char* key,
                                rapidjson::Document::AllocatorType& a) {
  auto it = parent.FindMember(key);
  if (it == parent.MemberEnd()) {
    parent.AddMember(rapidjson::Value(key, a), rapidjson::Value(rapidjson::kObjectType), a);
    return parent[key];
  }
  if (!it->value.IsObject()) it->value.SetObject();
  return it->value;
}

void set_string(rapidjson::Value& object, const char* key, const std::string& value,
                rapidjson::Document::AllocatorType& a) {
  auto it = object.FindMember(key);
  if (it != object.MemberEnd()) {
    it->value.SetString(value.c_str(), static_cast<rapidjson::SizeType>(value.size()), a);
  } else {
    object.AddMember(rapidjson::Value(key, a), rapidjson::Value(value, a), a);
  }
}

void set_value(rapidjson::Value& object, const char* key, rapidjson::Value value,
               rapidjson::Document::AllocatorType& a) {
  auto it = object.FindMember(key);
  if (it != object.MemberEnd()) {
    it->value = value;
  } else {
    object.AddMember(rapidjson::Value(key, a), value, a);
  }
}

void remove_member(rapidjson::Value& object, const char* key) {
  if (object.IsObject()) object.EraseMember(key);
}

// Copies member `key` of `from` into `to` (removing it from `to` when `from` lacks it).
void carry_member(rapidjson::Value& to, const rapidjson::Value& from, const char* key,
                  rapidjson::Document::AllocatorType& a) {
  auto it = from.FindMember(key);
  if (it == from.MemberEnd()) {
    to.EraseMember(key);
  } else {
    set_value(to, key, rapidjson::Value(it->value, a), a);
  }
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

const rapidjson::Value* value_at_path(const rapidjson::Value& object, const std::string& json_path) {
  const rapidjson::Value* cur = &object;
  std::size_t start = json_path.rfind('.', 0) == 0 ? 1 : 0;
  while (cur != nullptr && start < json_path.size()) {
    auto dot = json_path.find('.', start);
    std::string key = json_path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!cur->IsObject()) return nullptr;
    auto it = cur->FindMember(key.c_str());
    cur = it == cur->MemberEnd() ? nullptr : &it->value;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return cur;
}

}  // namespace emu
