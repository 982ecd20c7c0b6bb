#include <catch2/catch.hpp>

#include "dr/stork/object.hpp"
#include "dr/stork/selection.hpp"
#include "support/stork_test_util.hpp"

using namespace dr::stork;
using stork_test::parse;
namespace types = dr::kube::types;

namespace {
rapidjson::Document labelled(const std::string& labels, const std::string& ns = "zk",
                             const std::string& name = "zk") {
  return parse(R"({"metadata":{"name":")" + name + R"(","namespace":")" + ns + R"(","labels":{)" + labels +
               "}}}");
}
}  // namespace

TEST_CASE("label selector: equality and set-based", "[stork]") {
  auto s = parse_label_selector("app=zk, tier!=cache,env in (prod, dr),track notin (canary),release,!legacy");
  REQUIRE(s);
  CHECK(s->requirements.size() == 6);
  auto ok = labelled(R"("app":"zk","env":"dr","release":"1")");
  CHECK(s->matches_all(labels_of(ok)));
  auto legacy = labelled(R"("app":"zk","env":"dr","release":"1","legacy":"y")");
  CHECK_FALSE(s->matches_all(labels_of(legacy)));
  auto cache = labelled(R"("app":"zk","env":"dr","release":"1","tier":"cache")");
  CHECK_FALSE(s->matches_all(labels_of(cache)));
  auto canary = labelled(R"("app":"zk","env":"prod","release":"1","track":"canary")");
  CHECK_FALSE(s->matches_all(labels_of(canary)));
}

TEST_CASE("label selector: == and missing labels", "[stork]") {
  auto s = parse_label_selector("app==zk");
  REQUIRE(s);
  auto none = parse(R"({"metadata":{"name":"x"}})");
  CHECK_FALSE(s->matches_all(labels_of(none)));
  auto ne = parse_label_selector("app!=zk");
  CHECK(ne->matches_all(labels_of(none)));  // kubectl: an absent key matches !=
}

TEST_CASE("label selector: syntax errors", "[stork]") {
  for (const char* bad :
       {"app=", "=zk", "app in (a", "app foo (a)", "a=b=c", "app in ()", "-bad=x", "a,,b"}) {
    INFO(bad);
    if (std::string(bad) == "app=") continue;  // empty value is valid in Kubernetes
    CHECK_FALSE(parse_label_selector(bad));
  }
  CHECK(parse_label_selector("app="));
}

TEST_CASE("kind patterns: kind, plural, short name, GVK", "[stork]") {
  for (const char* text : {"StatefulSet", "statefulsets", "sts", "apps/v1/StatefulSet", "STATEFULSET"}) {
    INFO(text);
    auto p = parse_kind_pattern(text);
    REQUIRE(p);
    CHECK(p->matches(types::statefulsets));
    CHECK_FALSE(p->matches(types::deployments));
  }
  CHECK_FALSE(parse_kind_pattern("apps/v2/StatefulSet")->matches(types::statefulsets));
  CHECK(parse_kind_pattern("core/v1/ConfigMap")->matches(types::configmaps));
  CHECK(parse_kind_pattern("vm")->matches(types::virtualmachines));
  CHECK_FALSE(parse_kind_pattern("apps/StatefulSet"));
  CHECK_FALSE(parse_kind_pattern(""));
}

TEST_CASE("object patterns are KIND/NAMESPACE/NAME", "[stork]") {
  auto p = parse_object_pattern("deploy/zookeeper/zk");
  REQUIRE(p);
  CHECK(p->namespace_name == "zookeeper");
  CHECK(p->name == "zk");
  for (const char* bad : {"deploy/zk", "deploy//zk", "/ns/zk", "deploy/ns/", "deploy/NS/zk", "a/b/c/d"}) {
    INFO(bad);
    CHECK_FALSE(parse_object_pattern(bad));
  }
}

TEST_CASE("narrowing validation rejects contradictions", "[stork]") {
  SelectionFlags both;
  both.all_namespaces = true;
  both.namespace_flag = "zk";
  CHECK(Selection::from_flags(both).error().code == dr::ErrorCode::Usage);

  SelectionFlags overlap;
  overlap.include_namespaces = {"a", "b"};
  overlap.exclude_namespaces = {"b"};
  CHECK_FALSE(Selection::from_flags(overlap));

  SelectionFlags outside;
  outside.namespace_flag = "c";
  outside.include_namespaces = {"a", "b"};
  auto r = Selection::from_flags(outside);
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("--include-namespaces") != std::string::npos);

  SelectionFlags excluded;
  excluded.namespace_flag = "a";
  excluded.exclude_namespaces = {"a"};
  CHECK_FALSE(Selection::from_flags(excluded));

  SelectionFlags empty_entry;
  empty_entry.include_namespaces = {"a", ""};
  CHECK_FALSE(Selection::from_flags(empty_entry));

  SelectionFlags bad_object;
  bad_object.include_objects = {"deploy/zk"};
  CHECK_FALSE(Selection::from_flags(bad_object));

  SelectionFlags in_and_out;
  in_and_out.namespace_flag = "zk";
  in_and_out.include_objects = {"deploy/zk/a"};
  in_and_out.exclude_objects = {"deploy/zk/a"};
  CHECK_FALSE(Selection::from_flags(in_and_out));

  SelectionFlags object_elsewhere;
  object_elsewhere.namespace_flag = "zk";
  object_elsewhere.include_objects = {"deploy/other/a"};
  CHECK_FALSE(Selection::from_flags(object_elsewhere));

  SelectionFlags bad_selector;
  bad_selector.selectors = {"app in (a"};
  CHECK_FALSE(Selection::from_flags(bad_selector));
}

TEST_CASE("namespace scope", "[stork]") {
  SelectionFlags defaults;
  defaults.default_namespace = "team";
  auto d = Selection::from_flags(defaults);
  REQUIRE(d);
  CHECK(d->namespaces() == std::vector<std::string>{"team"});

  SelectionFlags all;
  all.all_namespaces = true;
  all.exclude_namespaces = {"kube-system"};
  auto a = Selection::from_flags(all);
  REQUIRE(a);
  CHECK(a->all_namespaces());
  CHECK(a->namespace_selected("zk"));
  CHECK_FALSE(a->namespace_selected("kube-system"));

  SelectionFlags include;
  include.include_namespaces = {"a", "b", "a"};
  auto i = Selection::from_flags(include);
  REQUIRE(i);
  CHECK(i->namespaces() == std::vector<std::string>{"a", "b"});
  CHECK_FALSE(i->namespace_selected("c"));

  SelectionFlags n_in_include;
  n_in_include.namespace_flag = "b";
  n_in_include.include_namespaces = {"a", "b"};
  auto n = Selection::from_flags(n_in_include);
  REQUIRE(n);
  CHECK(n->namespaces() == std::vector<std::string>{"b"});
}

TEST_CASE("selected applies every filter", "[stork]") {
  SelectionFlags flags;
  flags.all_namespaces = true;
  flags.selectors = {"app=zk"};
  flags.exclude_selectors = {"skip=yes,legacy"};
  flags.resource_types = {"sts", "Deployment"};
  flags.exclude_objects = {"statefulset/zk/old"};
  auto s = Selection::from_flags(flags);
  REQUIRE(s);
  CHECK(s->server_label_selector() == "app=zk");
  CHECK(s->type_selected(types::statefulsets));
  CHECK_FALSE(s->type_selected(types::cronjobs));
  CHECK(s->selected(types::statefulsets, labelled(R"("app":"zk")")));
  CHECK_FALSE(s->selected(types::statefulsets, labelled(R"("app":"other")")));
  CHECK_FALSE(s->selected(types::statefulsets, labelled(R"("app":"zk","skip":"yes")")));
  CHECK_FALSE(s->selected(types::statefulsets, labelled(R"("app":"zk","legacy":"1")")));  // OR'ed exclusions
  CHECK_FALSE(s->selected(types::cronjobs, labelled(R"("app":"zk")")));
  CHECK_FALSE(s->selected(types::statefulsets, labelled(R"("app":"zk")", "zk", "old")));
  CHECK(s->selected("StatefulSet", labelled(R"("app":"zk")")));
}

TEST_CASE("include-objects restricts to the named objects", "[stork]") {
  SelectionFlags flags;
  flags.namespace_flag = "zk";
  flags.include_objects = {"sts/zk/zk"};
  auto s = Selection::from_flags(flags);
  REQUIRE(s);
  CHECK(s->selected(types::statefulsets, labelled("", "zk", "zk")));
  CHECK_FALSE(s->selected(types::statefulsets, labelled("", "zk", "other")));
  CHECK_FALSE(s->selected(types::deployments, labelled("", "zk", "zk")));
  CHECK_FALSE(s->selected(types::statefulsets, labelled("", "elsewhere", "zk")));
}

TEST_CASE("selection: -A leaves out system namespaces; naming them includes them", "[stork]") {
  SelectionFlags all;
  all.all_namespaces = true;
  all.system_namespaces = {"cattle-system"};
  auto a = Selection::from_flags(all);
  REQUIRE(a);
  CHECK(a->namespace_selected("zk"));
  CHECK_FALSE(a->namespace_selected("kube-system"));
  CHECK_FALSE(a->namespace_selected("kube-public"));
  CHECK_FALSE(a->namespace_selected("cattle-system"));

  SelectionFlags named;
  named.namespace_flag = "kube-system";
  auto n = Selection::from_flags(named);
  REQUIRE(n);
  CHECK(n->namespace_selected("kube-system"));

  SelectionFlags included;
  included.all_namespaces = true;
  included.include_namespaces = {"kube-system", "zk"};
  auto i = Selection::from_flags(included);
  REQUIRE(i);
  CHECK(i->namespace_selected("kube-system"));
  CHECK(i->namespace_selected("zk"));
}
