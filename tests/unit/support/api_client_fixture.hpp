// The API client tests' common pieces: a client for the scripted server, JSON from text.
#pragma once

#include <rapidjson/document.h>

#include <cstddef>

#include "dr/kube/api_client.hpp"
#include "support/wire_test_server.hpp"

namespace wiretest {

// A client without credentials (the scripted server does not check them).
inline dr::kube::ApiClient client_for(const ScriptedServer& server, std::size_t inflight = 8) {
  return dr::kube::ApiClient(config_for(server.url()), nullptr, fast_retries(inflight));
}

inline rapidjson::Document json(const char* text) {
  rapidjson::Document document;
  document.Parse(text);
  return document;
}

}  // namespace wiretest
