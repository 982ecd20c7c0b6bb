// Continue tokens of paged lists. See continue_token.hpp.
#include "continue_token.hpp"

#include <cstring>

#include "errors.hpp"
#include "json.hpp"

namespace emu {

using rapidjson::Document;
using rapidjson::Value;

namespace {

// ---- base64url (continue tokens) -------------------------------------------------------------

const char* kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string b64url_encode(const std::string& in) {
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8 | (unsigned char)in[i + 2];
    out += kB64[v >> 18];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += kB64[v & 63];
  }
  if (i + 1 == in.size()) {
    unsigned v = (unsigned char)in[i] << 16;
    out += kB64[v >> 18];
    out += kB64[(v >> 12) & 63];
  } else if (i + 2 == in.size()) {
    unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8;
    out += kB64[v >> 18];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
  }
  return out;
}

bool b64url_decode(const std::string& in, std::string& out) {
  out.clear();
  unsigned buffer = 0;
  int bits = 0;
  for (char c : in) {
    const char* p = std::strchr(kB64, c);
    if (c == '\0' || p == nullptr) return false;
    buffer = buffer << 6 | static_cast<unsigned>(p - kB64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  return true;
}

}  // namespace

std::string encode_continue(const std::string& start_key, std::int64_t rv) {
  Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.AddMember("v", "meta.k8s.io/v1", a);
  d.AddMember("rv", rv, a);
  d.AddMember("start", Value(start_key, a), a);
  return b64url_encode(to_json(d));
}

void decode_continue(const std::string& token, std::string& start, std::int64_t& rv) {
  auto invalid = [](const std::string& why) { return errors::bad_request("invalid continue token: " + why); };
  std::string raw;
  if (!b64url_decode(token, raw)) throw invalid("continue key is not valid: illegal base64 data");
  Document d;
  d.Parse(raw.c_str(), raw.size());
  if (d.HasParseError() || !d.IsObject()) throw invalid("continue key is not valid: invalid JSON");
  std::string version = str_at(d, {"v"});
  if (version != "meta.k8s.io/v1") {
    throw invalid("continue key is not valid: server does not recognize this encoded version " + version);
  }
  const Value* r = value_at(d, {"rv"});
  rv = r != nullptr && r->IsInt64() ? r->GetInt64() : 0;
  if (rv == 0)
    throw invalid(
        "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
  start = str_at(d, {"start"});
  if (start.empty())
    throw invalid("continue key is not valid: encoded start key empty (version meta.k8s.io/v1)");
}

}  // namespace emu
