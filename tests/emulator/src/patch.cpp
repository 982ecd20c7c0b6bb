#include "patch.hpp"

#include <vector>

namespace emu {

void apply_merge_patch(rapidjson::Value& target, const rapidjson::Value& patch, rapidjson::Document::AllocatorType& a) {
  if (!patch.IsObject()) {
    target.CopyFrom(patch, a);
    return;
  }
  if (!target.IsObject()) target.SetObject();
  for (const auto& member : patch.GetObject()) {
    auto existing = target.FindMember(member.name);
    if (member.value.IsNull()) {
      if (existing != target.MemberEnd()) target.RemoveMember(existing);
      continue;
    }
    if (existing == target.MemberEnd()) {
      rapidjson::Value name(member.name, a);
      rapidjson::Value value(rapidjson::kObjectType);
      if (member.value.IsObject()) {
        apply_merge_patch(value, member.value, a);
      } else {
        value.CopyFrom(member.value, a);
      }
      target.AddMember(name, value, a);
    } else {
      apply_merge_patch(existing->value, member.value, a);
    }
  }
}

namespace {

// JSON pointer tokens with ~1 -> / and ~0 -> ~ unescaped.
bool split_pointer(const std::string& pointer, std::vector<std::string>& tokens) {
  tokens.clear();
  if (pointer.empty()) return true;
  if (pointer[0] != '/') return false;
  std::size_t start = 1;
  while (true) {
    auto slash = pointer.find('/', start);
    std::string token = pointer.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    std::string unescaped;
    for (std::size_t i = 0; i < token.size(); ++i) {
      if (token[i] == '~' && i + 1 < token.size() && (token[i + 1] == '0' || token[i + 1] == '1')) {
        unescaped += token[i + 1] == '0' ? '~' : '/';
        ++i;
      } else {
        unescaped += token[i];
      }
    }
    tokens.push_back(unescaped);
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return true;
}

bool array_index(const std::string& token, rapidjson::SizeType size, bool allow_end, rapidjson::SizeType& index) {
  if (token == "-" && allow_end) {
    index = size;
    return true;
  }
  if (token.empty() || token.find_first_not_of("0123456789") != std::string::npos) return false;
  unsigned long long value = std::stoull(token);
  if (value > size || (!allow_end && value == size)) return false;
  index = static_cast<rapidjson::SizeType>(value);
  return true;
}

// The parent container of the pointer's last token, or nullptr.
rapidjson::Value* parent_of(rapidjson::Value& root, const std::vector<std::string>& tokens) {
  rapidjson::Value* node = &root;
  for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
    if (node->IsObject()) {
      auto it = node->FindMember(rapidjson::StringRef(tokens[i].c_str(), static_cast<rapidjson::SizeType>(tokens[i].size())));
      if (it == node->MemberEnd()) return nullptr;
      node = &it->value;
    } else if (node->IsArray()) {
      rapidjson::SizeType index;
      if (!array_index(tokens[i], node->Size(), false, index)) return nullptr;
      node = &(*node)[index];
    } else {
      return nullptr;
    }
  }
  return node;
}

rapidjson::Value* resolve(rapidjson::Value& root, const std::vector<std::string>& tokens) {
  if (tokens.empty()) return &root;
  auto* parent = parent_of(root, tokens);
  if (parent == nullptr) return nullptr;
  const auto& last = tokens.back();
  if (parent->IsObject()) {
    auto it = parent->FindMember(rapidjson::StringRef(last.c_str(), static_cast<rapidjson::SizeType>(last.size())));
    return it == parent->MemberEnd() ? nullptr : &it->value;
  }
  if (parent->IsArray()) {
    rapidjson::SizeType index;
    if (!array_index(last, parent->Size(), false, index)) return nullptr;
    return &(*parent)[index];
  }
  return nullptr;
}

std::string add_value(rapidjson::Document& doc, const std::vector<std::string>& tokens, rapidjson::Value value,
                      const std::string& path) {
  auto& a = doc.GetAllocator();
  if (tokens.empty()) {
    static_cast<rapidjson::Value&>(doc) = value;
    return {};
  }
  auto* parent = parent_of(doc, tokens);
  if (parent == nullptr) return "doc is missing path: \"" + path + "\": missing value";
  const auto& last = tokens.back();
  if (parent->IsObject()) {
    auto it = parent->FindMember(rapidjson::StringRef(last.c_str(), static_cast<rapidjson::SizeType>(last.size())));
    if (it != parent->MemberEnd()) {
      it->value = value;
    } else {
      parent->AddMember(rapidjson::Value(last.c_str(), a), value, a);
    }
    return {};
  }
  if (parent->IsArray()) {
    rapidjson::SizeType index;
    if (!array_index(last, parent->Size(), true, index)) return "add operation does not apply: doc is missing path: \"" + path + "\"";
    parent->PushBack(rapidjson::Value(), a);
    for (rapidjson::SizeType i = parent->Size() - 1; i > index; --i) (*parent)[i] = (*parent)[i - 1];
    (*parent)[index] = value;
    return {};
  }
  return "doc is missing path: \"" + path + "\"";
}

std::string remove_value(rapidjson::Document& doc, const std::vector<std::string>& tokens, const std::string& path,
                         rapidjson::Value* removed, rapidjson::Document::AllocatorType& a) {
  if (tokens.empty()) return "unable to remove the whole document";
  auto* parent = parent_of(doc, tokens);
  const auto& last = tokens.back();
  if (parent != nullptr && parent->IsObject()) {
    auto it = parent->FindMember(rapidjson::StringRef(last.c_str(), static_cast<rapidjson::SizeType>(last.size())));
    if (it != parent->MemberEnd()) {
      if (removed != nullptr) removed->CopyFrom(it->value, a);
      parent->RemoveMember(it);
      return {};
    }
  } else if (parent != nullptr && parent->IsArray()) {
    rapidjson::SizeType index;
    if (array_index(last, parent->Size(), false, index)) {
      if (removed != nullptr) removed->CopyFrom((*parent)[index], a);
      parent->Erase(parent->Begin() + index);
      return {};
    }
  }
  return "remove operation does not apply: doc is missing path: \"" + path + "\"";
}

}  // namespace

std::string apply_json_patch(rapidjson::Document& doc, const rapidjson::Value& operations) {
  if (!operations.IsArray()) return "json: cannot unmarshal object into Go value of type jsonpatch.Patch";
  auto& a = doc.GetAllocator();
  std::vector<std::string> tokens;
  std::vector<std::string> from_tokens;
  for (const auto& op : operations.GetArray()) {
    if (!op.IsObject() || !op.HasMember("op") || !op["op"].IsString()) return "Unexpected kind: missing op";
    std::string name = op["op"].GetString();
    std::string path = op.HasMember("path") && op["path"].IsString() ? op["path"].GetString() : "";
    if (!op.HasMember("path") || !split_pointer(path, tokens)) return "missing path in " + name + " operation";
    if (name == "add" || name == "replace" || name == "test") {
      if (!op.HasMember("value")) return "missing value in " + name + " operation";
      rapidjson::Value value(op["value"], a);
      if (name == "add") {
        if (auto error = add_value(doc, tokens, std::move(value), path); !error.empty()) return error;
      } else if (name == "replace") {
        auto* target = resolve(doc, tokens);
        if (target == nullptr) return "replace operation does not apply: doc is missing key: " + path + ": missing value";
        *target = value;
      } else {
        auto* target = resolve(doc, tokens);
        if (target == nullptr || *target != op["value"]) return "testing value " + path + " failed: test failed";
      }
    } else if (name == "remove") {
      if (auto error = remove_value(doc, tokens, path, nullptr, a); !error.empty()) return error;
    } else if (name == "move" || name == "copy") {
      std::string from = op.HasMember("from") && op["from"].IsString() ? op["from"].GetString() : "";
      if (!split_pointer(from, from_tokens)) return "missing from in " + name + " operation";
      rapidjson::Value value;
      if (name == "move") {
        if (auto error = remove_value(doc, from_tokens, from, &value, a); !error.empty()) return error;
      } else {
        auto* source = resolve(doc, from_tokens);
        if (source == nullptr) return "copy operation does not apply: doc is missing from path: " + from;
        value.CopyFrom(*source, a);
      }
      if (auto error = add_value(doc, tokens, std::move(value), path); !error.empty()) return error;
    } else {
      return "Unexpected kind: " + name;
    }
  }
  return {};
}

namespace {
bool list_of_named_objects(const rapidjson::Value& list) {
  if (!list.IsArray() || list.Empty()) return false;
  for (const auto& item : list.GetArray()) {
    if (!item.IsObject() || !item.HasMember("name") || !item["name"].IsString()) return false;
  }
  return true;
}
}  // namespace

void apply_strategic_merge_patch(rapidjson::Value& target, const rapidjson::Value& patch,
                                 rapidjson::Document::AllocatorType& a) {
  if (!patch.IsObject()) {
    target.CopyFrom(patch, a);
    return;
  }
  if (patch.HasMember("$patch") && patch["$patch"].IsString() && std::string(patch["$patch"].GetString()) == "replace") {
    target.CopyFrom(patch, a);
    target.RemoveMember("$patch");
    return;
  }
  if (!target.IsObject()) target.SetObject();
  for (const auto& member : patch.GetObject()) {
    std::string key(member.name.GetString(), member.name.GetStringLength());
    if (key == "$patch" || key.rfind("$setElementOrder", 0) == 0 || key.rfind("$retainKeys", 0) == 0) continue;
    auto existing = target.FindMember(member.name);
    if (member.value.IsNull()) {
      if (existing != target.MemberEnd()) target.RemoveMember(existing);
      continue;
    }
    if (existing != target.MemberEnd() && member.value.IsArray() && existing->value.IsArray() &&
        (list_of_named_objects(member.value) || list_of_named_objects(existing->value))) {
      // Merge by the "name" key, the patchMergeKey of containers, env, ports, volumes...
      auto& list = existing->value;
      for (const auto& item : member.value.GetArray()) {
        if (!item.IsObject() || !item.HasMember("name")) continue;
        bool remove = item.HasMember("$patch") && item["$patch"].IsString() && std::string(item["$patch"].GetString()) == "delete";
        bool found = false;
        for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
          if (list[i].IsObject() && list[i].HasMember("name") && list[i]["name"] == item["name"]) {
            if (remove) {
              list.Erase(list.Begin() + i);
            } else {
              apply_strategic_merge_patch(list[i], item, a);
            }
            found = true;
            break;
          }
        }
        if (!found && !remove) {
          rapidjson::Value copy(item, a);
          list.PushBack(copy, a);
        }
      }
      continue;
    }
    if (existing == target.MemberEnd()) {
      rapidjson::Value value(rapidjson::kObjectType);
      if (member.value.IsObject()) {
        apply_strategic_merge_patch(value, member.value, a);
      } else {
        value.CopyFrom(member.value, a);
      }
      target.AddMember(rapidjson::Value(member.name, a), value, a);
    } else {
      apply_strategic_merge_patch(existing->value, member.value, a);
    }
  }
}

}  // namespace emu
