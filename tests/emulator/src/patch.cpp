#include "patch.hpp"

#include <cstring>
#include <vector>

#include "errors.hpp"
#include "json.hpp"

namespace emu {

using rapidjson::Value;
using Allocator = rapidjson::Document::AllocatorType;

// ---- merge patch --------------------------------------------------------------------------------

void apply_merge_patch(Value& target, const Value& patch, Allocator& a) {
  if (!patch.IsObject()) {
    target.CopyFrom(patch, a);
    return;
  }
  if (!target.IsObject()) target.SetObject();
  for (const auto& m : patch.GetObject()) {
    auto existing = target.FindMember(m.name);
    if (m.value.IsNull()) {
      if (existing != target.MemberEnd()) target.EraseMember(existing);
      continue;
    }
    if (existing == target.MemberEnd()) {
      Value value(rapidjson::kObjectType);
      if (m.value.IsObject()) {
        apply_merge_patch(value, m.value, a);  // drops nulls inside new objects too
      } else {
        value.CopyFrom(m.value, a);
      }
      target.AddMember(Value(m.name, a), value, a);
    } else {
      apply_merge_patch(existing->value, m.value, a);
    }
  }
}

// ---- JSON patch ---------------------------------------------------------------------------------

namespace {

struct PatchFailure {
  std::string why;
};

std::vector<std::string> pointer_tokens(const std::string& pointer) {
  std::vector<std::string> tokens;
  if (pointer.empty()) return tokens;
  if (pointer[0] != '/') throw PatchFailure{"invalid JSON pointer: " + pointer};
  std::size_t start = 1;
  while (true) {
    auto slash = pointer.find('/', start);
    std::string raw = pointer.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    std::string token;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '~' && i + 1 < raw.size() && raw[i + 1] == '0') {
        token += '~';
        ++i;
      } else if (raw[i] == '~' && i + 1 < raw.size() && raw[i + 1] == '1') {
        token += '/';
        ++i;
      } else {
        token += raw[i];
      }
    }
    tokens.push_back(std::move(token));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return tokens;
}

// Index into an array; `allow_end` accepts "-" and size (for add).
rapidjson::SizeType array_index(const std::string& token, rapidjson::SizeType size, bool allow_end,
                                const std::string& path) {
  if (allow_end && token == "-") return size;
  if (token.empty() || token.find_first_not_of("0123456789") != std::string::npos || token.size() > 9) {
    throw PatchFailure{"Unable to access invalid index: " + token + ": " + path};
  }
  auto index = static_cast<rapidjson::SizeType>(std::stoul(token));
  if (index > size || (!allow_end && index == size)) {
    throw PatchFailure{"Unable to access invalid index: " + token + ": " + path};
  }
  return index;
}

Value* child(Value& node, const std::string& token, const std::string& path) {
  if (node.IsObject()) {
    auto it = node.FindMember(Value(rapidjson::StringRef(token.data(), token.size())));
    return it == node.MemberEnd() ? nullptr : &it->value;
  }
  if (node.IsArray()) return &node[array_index(token, node.Size(), false, path)];
  return nullptr;
}

Value& container_of(Value& root, const std::vector<std::string>& tokens, const std::string& path) {
  Value* node = &root;
  for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
    node = child(*node, tokens[i], path);
    if (node == nullptr) throw PatchFailure{"doc is missing path: \"" + path + "\": missing value"};
  }
  if (!node->IsObject() && !node->IsArray())
    throw PatchFailure{"doc is missing path: \"" + path + "\": missing value"};
  return *node;
}

Value& resolve(Value& root, const std::string& path) {
  auto tokens = pointer_tokens(path);
  Value* node = &root;
  for (const auto& t : tokens) {
    node = child(*node, t, path);
    if (node == nullptr) throw PatchFailure{"doc is missing path: \"" + path + "\": missing value"};
  }
  return *node;
}

void add_at(Value& root, const std::string& path, Value value, Allocator& a) {
  auto tokens = pointer_tokens(path);
  if (tokens.empty()) {
    root = value;
    return;
  }
  Value& parent = container_of(root, tokens, path);
  const std::string& last = tokens.back();
  if (parent.IsObject()) {
    auto it = parent.FindMember(Value(rapidjson::StringRef(last.data(), last.size())));
    if (it != parent.MemberEnd()) {
      it->value = value;
    } else {
      parent.AddMember(Value(last, a), value, a);
    }
    return;
  }
  auto index = array_index(last, parent.Size(), true, path);
  parent.PushBack(Value(), a);
  for (auto i = parent.Size() - 1; i > index; --i) parent[i].Swap(parent[i - 1]);
  parent[index] = value;
}

Value remove_at(Value& root, const std::string& path) {
  auto tokens = pointer_tokens(path);
  if (tokens.empty()) throw PatchFailure{"unable to remove the whole document"};
  Value& parent = container_of(root, tokens, path);
  const std::string& last = tokens.back();
  Value removed;
  if (parent.IsObject()) {
    auto it = parent.FindMember(Value(rapidjson::StringRef(last.data(), last.size())));
    if (it == parent.MemberEnd()) {
      throw PatchFailure{"Unable to remove nonexistent key: " + last + ": missing value"};
    }
    removed = it->value;
    parent.EraseMember(it);
    return removed;
  }
  auto index = array_index(last, parent.Size(), false, path);
  removed = parent[index];
  parent.Erase(parent.Begin() + index);
  return removed;
}

std::string op_string(const Value& op, const char* key) {
  auto it = op.FindMember(key);
  if (it == op.MemberEnd() || !it->value.IsString()) return {};
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

}  // namespace

void apply_json_patch(rapidjson::Document& target, const Value& operations, std::string* why) {
  if (!operations.IsArray()) {
    throw errors::bad_request("json: cannot unmarshal " +
                              std::string(operations.IsObject() ? "object" : "value") +
                              " into Go value of type jsonpatch.Patch");
  }
  rapidjson::Document work;
  work.CopyFrom(target, work.GetAllocator());
  auto& a = work.GetAllocator();
  try {
    for (const auto& op : operations.GetArray()) {
      if (!op.IsObject()) {
        throw errors::bad_request("json: cannot unmarshal " + std::string(op.IsArray() ? "array" : "value") +
                                  " into Go value of type jsonpatch.Operation");
      }
      std::string kind = op_string(op, "op");
      if (!op.HasMember("path") || !op["path"].IsString()) throw PatchFailure{"operation missing path field"};
      std::string path = op_string(op, "path");
      auto value_of = [&]() -> Value {
        auto it = op.FindMember("value");
        if (it == op.MemberEnd()) throw PatchFailure{"operation missing value field"};
        return Value(it->value, a);
      };
      if (kind == "add") {
        add_at(work, path, value_of(), a);
      } else if (kind == "remove") {
        remove_at(work, path);
      } else if (kind == "replace") {
        Value value = value_of();
        auto tokens = pointer_tokens(path);
        if (tokens.empty()) {
          static_cast<Value&>(work) = value;
          continue;
        }
        Value& parent = container_of(work, tokens, path);
        Value* existing = child(parent, tokens.back(), path);
        if (existing == nullptr) {
          throw PatchFailure{"replace operation does not apply: doc is missing key: " + path +
                             ": missing value"};
        }
        *existing = value;
      } else if (kind == "move") {
        std::string from = op_string(op, "from");
        if (path.rfind(from + "/", 0) == 0) throw PatchFailure{"Unable to move into a child of itself"};
        Value moved = remove_at(work, from);
        add_at(work, path, std::move(moved), a);
      } else if (kind == "copy") {
        std::string from = op_string(op, "from");
        Value copied(resolve(work, from), a);
        add_at(work, path, std::move(copied), a);
      } else if (kind == "test") {
        Value expected = value_of();
        Value* actual = nullptr;
        try {
          actual = &resolve(work, path);
        } catch (const PatchFailure&) {
          actual = nullptr;
        }
        bool equal = actual != nullptr ? *actual == expected : expected.IsNull();
        if (!equal) throw PatchFailure{"testing value " + path + " failed: test failed"};
      } else {
        throw PatchFailure{"Unexpected kind: " + kind};
      }
    }
  } catch (const PatchFailure& failure) {
    if (why != nullptr) *why = failure.why;
    StatusError e(422, "Invalid", "the server rejected our request due to an error in our request");
    e.has_details = true;
    throw e;
  }
  target.Swap(work);
}

// ---- strategic merge patch -------------------------------------------------------------------------

namespace {

// patchMergeKey of the list-valued fields of the built-in kinds kubectl touches.
const char* merge_key(const char* field) {
  struct Entry {
    const char* field;
    const char* key;
  };
  static const Entry entries[] = {
      {"containers", "name"},
      {"initContainers", "name"},
      {"ephemeralContainers", "name"},
      {"volumes", "name"},
      {"env", "name"},
      {"imagePullSecrets", "name"},
      {"ports", "containerPort"},
      {"volumeMounts", "mountPath"},
      {"volumeDevices", "devicePath"},
      {"conditions", "type"},
      {"ownerReferences", "uid"},
      {"hostAliases", "ip"},
      {"resourceClaims", "name"},
      {"topologySpreadConstraints", "topologyKey"},
  };
  for (const auto& e : entries) {
    if (std::strcmp(e.field, field) == 0) return e.key;
  }
  return nullptr;
}

bool primitive_set_field(const char* field) {
  return std::strcmp(field, "finalizers") == 0;
}

const Value* find(const Value& object, const char* key) {
  auto it = object.FindMember(key);
  return it == object.MemberEnd() ? nullptr : &it->value;
}

bool has_directive(const Value& v, const char* directive) {
  if (!v.IsObject()) return false;
  const Value* p = find(v, "$patch");
  return p != nullptr && p->IsString() && std::strcmp(p->GetString(), directive) == 0;
}

// A copy of `patch` without the directive keys (for inserting new elements/maps).
Value clean_copy(const Value& patch, Allocator& a) {
  if (patch.IsObject()) {
    Value out(rapidjson::kObjectType);
    for (const auto& m : patch.GetObject()) {
      std::string name(m.name.GetString(), m.name.GetStringLength());
      if (!name.empty() && name[0] == '$') continue;
      if (m.value.IsNull()) continue;
      out.AddMember(Value(m.name, a), clean_copy(m.value, a), a);
    }
    return out;
  }
  if (patch.IsArray()) {
    Value out(rapidjson::kArrayType);
    for (const auto& e : patch.GetArray()) {
      if (has_directive(e, "delete")) continue;
      out.PushBack(clean_copy(e, a), a);
    }
    return out;
  }
  return Value(patch, a);
}

void merge_list(Value& target, const Value& patch, const char* field, Allocator& a) {
  const char* key = merge_key(field);
  if (!target.IsArray()) target.SetArray();
  if (primitive_set_field(field)) {
    for (const auto& e : patch.GetArray()) {
      bool present = false;
      for (const auto& t : target.GetArray()) present = present || t == e;
      if (!present) target.PushBack(Value(e, a), a);
    }
    return;
  }
  // `$patch: replace` anywhere in the list replaces the whole list.
  for (const auto& e : patch.GetArray()) {
    if (has_directive(e, "replace")) {
      target = clean_copy(patch, a);
      return;
    }
  }
  if (key == nullptr) {
    target = clean_copy(patch, a);
    return;
  }
  for (const auto& e : patch.GetArray()) {
    if (!e.IsObject()) {
      throw errors::bad_request("unable to find api field in struct for the merge key");
    }
    const Value* k = find(e, key);
    if (k == nullptr) {
      throw errors::bad_request(std::string("map: ") + to_json(e) +
                                " does not contain declared merge key: " + key);
    }
    rapidjson::SizeType match = target.Size();
    for (rapidjson::SizeType i = 0; i < target.Size(); ++i) {
      if (target[i].IsObject()) {
        const Value* tk = find(target[i], key);
        if (tk != nullptr && *tk == *k) {
          match = i;
          break;
        }
      }
    }
    if (has_directive(e, "delete")) {
      if (match < target.Size()) target.Erase(target.Begin() + match);
      continue;
    }
    if (match < target.Size()) {
      apply_strategic_merge_patch(target[match], e, a);
    } else {
      target.PushBack(clean_copy(e, a), a);
    }
  }
}

}  // namespace

void apply_strategic_merge_patch(Value& target, const Value& patch, Allocator& a) {
  if (!patch.IsObject()) {
    target.CopyFrom(patch, a);
    return;
  }
  if (has_directive(patch, "replace")) {
    target = clean_copy(patch, a);
    return;
  }
  if (has_directive(patch, "delete")) {
    target.SetObject();
    return;
  }
  if (!target.IsObject()) target.SetObject();
  // $retainKeys: keys of the target not listed are dropped.
  if (const Value* retain = find(patch, "$retainKeys"); retain != nullptr && retain->IsArray()) {
    std::vector<std::string> drop;
    for (const auto& m : target.GetObject()) {
      bool keep = false;
      for (const auto& k : retain->GetArray()) keep = keep || (k.IsString() && k == m.name);
      if (!keep) drop.emplace_back(m.name.GetString(), m.name.GetStringLength());
    }
    for (const auto& k : drop) target.EraseMember(k.c_str());
  }
  for (const auto& m : patch.GetObject()) {
    std::string name(m.name.GetString(), m.name.GetStringLength());
    if (name == "$patch" || name == "$retainKeys" || name.rfind("$setElementOrder/", 0) == 0) continue;
    if (name.rfind("$deleteFromPrimitiveList/", 0) == 0) {
      std::string field = name.substr(std::strlen("$deleteFromPrimitiveList/"));
      auto it = target.FindMember(field.c_str());
      if (it != target.MemberEnd() && it->value.IsArray() && m.value.IsArray()) {
        for (const auto& v : m.value.GetArray()) {
          for (auto e = it->value.Begin(); e != it->value.End();) {
            e = (*e == v) ? it->value.Erase(e) : e + 1;
          }
        }
      }
      continue;
    }
    auto existing = target.FindMember(m.name);
    if (m.value.IsNull()) {
      if (existing != target.MemberEnd()) target.EraseMember(existing);
      continue;
    }
    if (existing == target.MemberEnd()) {
      if (m.value.IsObject() && has_directive(m.value, "delete")) continue;
      target.AddMember(Value(m.name, a), clean_copy(m.value, a), a);
      continue;
    }
    if (m.value.IsArray()) {
      merge_list(existing->value, m.value, name.c_str(), a);
    } else if (m.value.IsObject()) {
      if (has_directive(m.value, "delete")) {
        target.EraseMember(existing);
      } else {
        apply_strategic_merge_patch(existing->value, m.value, a);
      }
    } else {
      existing->value.CopyFrom(m.value, a);
    }
  }
}

}  // namespace emu
