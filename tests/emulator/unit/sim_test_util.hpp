// Shared setup for the simulation tests: an Emulator without servers, objects from JSON text.
#pragma once

#include <string>

#include "sim.hpp"

namespace simtest {

using namespace emu::sim;

inline emu::Object make(Cluster& c, const char* group, const char* plural, const std::string& json) {
  Doc d = parse(json);
  std::string err;
  emu::Object o = create_object(c, *resource(c, group, plural), d, &err);
  if (!o) throw std::runtime_error("create " + std::string(plural) + ": " + err);
  return o;
}

inline void make_namespace(Cluster& c, const std::string& ns) {
  make(c, "", "namespaces", R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":")" + ns + R"("}})");
}

inline emu::Object get(Cluster& c, const char* group, const char* plural, const std::string& ns,
                       const std::string& name) {
  return get_object(c, *resource(c, group, plural), ns, name);
}

inline std::vector<std::string> names(Cluster& c, const char* group, const char* plural,
                                      const std::string& ns) {
  std::vector<std::string> out;
  for (auto& o : list_docs(c, *resource(c, group, plural), ns)) out.push_back(name_of(*o));
  return out;
}

inline std::string sts(const std::string& ns, const std::string& name, int replicas) {
  return R"({"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":")" + name +
         R"(","namespace":")" + ns + R"("},"spec":{"replicas":)" + std::to_string(replicas) +
         R"(,"serviceName":")" + name + R"(","selector":{"matchLabels":{"app":")" + name +
         R"("}},"template":{"metadata":{"labels":{"app":")" + name +
         R"("}},"spec":{"containers":[{"name":"main","image":"nginx:1.27"}]}}}})";
}

inline std::string deploy(const std::string& ns, const std::string& name, int replicas,
                          const std::string& image = "nginx:1.27") {
  return R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":")" + name + R"(","namespace":")" +
         ns + R"("},"spec":{"replicas":)" + std::to_string(replicas) +
         R"(,"selector":{"matchLabels":{"app":")" + name +
         R"("}},"template":{"metadata":{"labels":{"app":")" + name +
         R"("}},"spec":{"containers":[{"name":"main","image":")" + image + R"("}]}}}})";
}

inline void set_replicas(Cluster& c, const char* plural, const std::string& ns, const std::string& name,
                         int n) {
  modify_object(c, *resource(c, "apps", plural), ns, name, [&](Doc& d) {
    set_int(object_member(d, "spec", d.GetAllocator()), "replicas", n, d.GetAllocator());
    return true;
  });
}

}  // namespace simtest
