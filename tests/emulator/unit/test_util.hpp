// Helpers shared by the core unit tests.
#pragma once

#include <string>

#include <rapidjson/document.h>

#include "emulator.hpp"

namespace emu::test {

inline rapidjson::Document json(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str(), text.size());
  return d;
}

// A Store with the built-in types and a "default" namespace.
struct Fixture {
  Store store{"test"};
  TypeRef namespaces, statefulsets, deployments, configmaps, crds;

  Fixture() {
    for (auto& t : builtin_types()) store.types().add(std::move(t));
    namespaces = store.types().find("", "namespaces");
    statefulsets = store.types().find("apps", "statefulsets");
    deployments = store.types().find("apps", "deployments");
    configmaps = store.types().find("", "configmaps");
    crds = store.types().find("apiextensions.k8s.io", "customresourcedefinitions");
    namespace_("default");
  }

  Object namespace_(const std::string& name) {
    return store.create(*namespaces, "", json(R"({"metadata":{"name":")" + name + R"("}})"));
  }

  static std::string sts_json(const std::string& name, int replicas) {
    return R"({"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":")" + name +
           R"(","labels":{"app":"zk"}},"spec":{"replicas":)" + std::to_string(replicas) +
           R"(,"serviceName":"zk","selector":{"matchLabels":{"app":"zk"}},"template":{"metadata":{"labels":{"app":"zk"}},)"
           R"("spec":{"containers":[{"name":"zk","image":"zookeeper:3.8","env":[{"name":"A","value":"1"}]}]}}}})";
  }

  Object sts(const std::string& ns, const std::string& name, int replicas = 3) {
    return store.create(*statefulsets, ns, json(sts_json(name, replicas)));
  }

  Object configmap(const std::string& ns, const std::string& name, const std::string& labels = "{}") {
    return store.create(
        *configmaps, ns,
        json(R"({"metadata":{"name":")" + name + R"(","labels":)" + labels + R"(},"data":{"k":"v"}})"));
  }
};

// Runs `fn` and returns the StatusError it throws (fails the test when it does not throw one).
template <typename Fn>
StatusError status_of(Fn&& fn) {
  try {
    fn();
  } catch (const StatusError& e) {
    return e;
  }
  return StatusError(0, "NoError", "no error was thrown");
}

}  // namespace emu::test
