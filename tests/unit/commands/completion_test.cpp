// The completion protocol of kubectl_complete-dr: words in, candidates and cobra directive out.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "dr/commands/completion.hpp"
#include "dr/commands/verb_table.hpp"

using dr::commands::Candidate;
using dr::commands::Completion;
namespace directive = dr::commands::directive;

namespace {

// Names as a cluster would give them; records what was asked.
class FakeSource : public dr::commands::NameSource {
 public:
  bool offline = false;
  std::vector<std::string> calls;
  dr::kube::ConfigOverrides last;

  dr::Result<std::vector<Candidate>> namespaces(const dr::kube::ConfigOverrides& o) override {
    return answer("namespaces", o, {{"default", ""}, {"kube-system", ""}, {"zookeeper", ""}});
  }
  dr::Result<std::vector<Candidate>> cluster_domains(const dr::kube::ConfigOverrides& o) override {
    return answer("cluster_domains", o, {{"us-east-1a", "Inactive"}, {"us-east-1b", "Active"}});
  }
  dr::Result<std::vector<Candidate>> migration_schedules(const dr::kube::ConfigOverrides& o) override {
    if (o.namespace_name == "zookeeper") {
      return answer("migration_schedules", o, {{"migrationschedule", ""}, {"nightly", "suspended"}});
    }
    return answer("migration_schedules", o, {});
  }
  dr::Result<std::vector<Candidate>> contexts(const dr::kube::ConfigOverrides& o) override {
    return answer("contexts", o, {{"us-east-1a", "current context"}, {"us-east-1b", ""}});
  }

 private:
  dr::Result<std::vector<Candidate>> answer(const std::string& what, const dr::kube::ConfigOverrides& o,
                                            std::vector<Candidate> names) {
    calls.push_back(what);
    last = o;
    if (offline) return dr::Error::make(dr::ErrorCode::Transport, "connection refused");
    return names;
  }
};

std::vector<std::string> values(const Completion& c) {
  std::vector<std::string> out;
  for (const auto& candidate : c.candidates) out.push_back(candidate.value);
  return out;
}

bool has(const Completion& c, const std::string& value) {
  const auto v = values(c);
  return std::find(v.begin(), v.end(), value) != v.end();
}

}  // namespace

TEST_CASE("completion: verbs, with descriptions, filtered by prefix", "[completion]") {
  FakeSource source;
  const Completion all = dr::commands::complete({""}, source);
  CHECK(values(all) == std::vector<std::string>{"deactivate", "status", "suspend", "activate", "resume",
                                                "perform", "failover", "failback", "version", "help"});
  CHECK(all.directive == directive::kNoFileComp);
  CHECK_FALSE(all.candidates.front().description.empty());
  CHECK(values(dr::commands::complete({"s"}, source)) == std::vector<std::string>{"status", "suspend"});
  CHECK(values(dr::commands::complete({"x"}, source)).empty());
  CHECK(source.calls.empty());
}

TEST_CASE("completion: verbs kubectl already lists are left out", "[completion]") {
  FakeSource source;
  const Completion c = dr::commands::complete({""}, source, {"status", "activate"});
  CHECK_FALSE(has(c, "status"));
  CHECK_FALSE(has(c, "activate"));
  CHECK(has(c, "deactivate"));
}

TEST_CASE("completion: resource words per verb", "[completion]") {
  FakeSource source;
  CHECK(values(dr::commands::complete({"activate", ""}, source)) ==
        std::vector<std::string>{"clusterdomain", "migration"});
  CHECK(values(dr::commands::complete({"deactivate", ""}, source)) ==
        std::vector<std::string>{"clusterdomain", "migration", "apps"});
  CHECK(values(dr::commands::complete({"status", ""}, source)) ==
        std::vector<std::string>{"clusterdomains", "clusterdomainupdates", "migrationschedules", "migrations",
                                 "clusterpairs", "apps", "failover", "failback"});
  CHECK(values(dr::commands::complete({"suspend", ""}, source)) ==
        std::vector<std::string>{"migrationschedule"});
  CHECK(values(dr::commands::complete({"resume", "m"}, source)) ==
        std::vector<std::string>{"migrationschedule"});
  CHECK(values(dr::commands::complete({"status", "clusterdomainu"}, source)) ==
        std::vector<std::string>{"clusterdomainupdates"});
  // Flags before the resource do not count as words.
  CHECK(values(dr::commands::complete({"status", "-n", "zookeeper", "mig"}, source)) ==
        std::vector<std::string>{"migrationschedules", "migrations"});
}

TEST_CASE("completion: an unknown verb completes nothing, without file names", "[completion]") {
  FakeSource source;
  const Completion c = dr::commands::complete({"frobnicate", ""}, source);
  CHECK(c.candidates.empty());
  CHECK(c.directive == directive::kNoFileComp);
}

TEST_CASE("completion: cluster domain names from the cluster, with their state", "[completion]") {
  FakeSource source;
  const Completion c = dr::commands::complete({"deactivate", "clusterdomain", ""}, source);
  CHECK(c.candidates == std::vector<Candidate>{{"us-east-1a", "Inactive"}, {"us-east-1b", "Active"}});
  CHECK(c.directive == directive::kNoFileComp);
  CHECK(values(dr::commands::complete({"activate", "cd", "us-east-1a"}, source)) ==
        std::vector<std::string>{"us-east-1a"});
  // One domain per command: nothing after it.
  CHECK(dr::commands::complete({"activate", "clusterdomain", "us-east-1a", ""}, source).candidates.empty());
  // --context reaches the source.
  (void)dr::commands::complete({"--context", "east", "activate", "clusterdomain", ""}, source);
  CHECK(source.last.context == "east");
}

TEST_CASE("completion: migration schedules in the -n namespace, not the ones already named", "[completion]") {
  FakeSource source;
  Completion c = dr::commands::complete({"suspend", "migrationschedule", "-n", "zookeeper", ""}, source);
  CHECK(values(c) == std::vector<std::string>{"migrationschedule", "nightly"});
  CHECK(source.last.namespace_name == "zookeeper");
  c = dr::commands::complete(
      {"resume", "migrationschedule", "--namespace=zookeeper", "migrationschedule", ""}, source);
  CHECK(values(c) == std::vector<std::string>{"nightly"});
  c = dr::commands::complete({"suspend", "migrationschedule", ""}, source);
  CHECK(c.candidates.empty());
  CHECK(source.last.namespace_name.empty());  // the context's namespace
  // With -A names are ambiguous: none offered.
  source.calls.clear();
  CHECK(dr::commands::complete({"suspend", "migrationschedule", "-A", ""}, source).candidates.empty());
  CHECK(source.calls.empty());
}

TEST_CASE("completion: namespaces and contexts for their flags", "[completion]") {
  FakeSource source;
  CHECK(values(dr::commands::complete({"status", "-n", ""}, source)) ==
        std::vector<std::string>{"default", "kube-system", "zookeeper"});
  CHECK(values(dr::commands::complete({"activate", "migration", "--namespace", "z"}, source)) ==
        std::vector<std::string>{"zookeeper"});
  // --flag=value in one word: the candidates carry the flag.
  CHECK(values(dr::commands::complete({"status", "--namespace=k"}, source)) ==
        std::vector<std::string>{"--namespace=kube-system"});
  CHECK(values(dr::commands::complete({"status", "--context", ""}, source)) ==
        std::vector<std::string>{"us-east-1a", "us-east-1b"});
  // Before the verb too (the dispatcher accepts global flags there).
  CHECK(values(dr::commands::complete({"-n", "d"}, source)) == std::vector<std::string>{"default"});
}

TEST_CASE("completion: fixed values and file flags", "[completion]") {
  FakeSource source;
  CHECK(values(dr::commands::complete({"status", "-o", ""}, source)) ==
        std::vector<std::string>{"json", "yaml", "name", "wide"});
  CHECK(values(dr::commands::complete({"activate", "-o", ""}, source)) ==
        std::vector<std::string>{"json", "yaml", "name"});
  CHECK(values(dr::commands::complete({"activate", "migration", "--dry-run=c"}, source)) ==
        std::vector<std::string>{"--dry-run=client"});
  // --dry-run alone takes no next word: the next word is positional again.
  CHECK(values(dr::commands::complete({"deactivate", "--dry-run", "a"}, source)) ==
        std::vector<std::string>{"apps"});
  const Completion file = dr::commands::complete({"status", "--kubeconfig", ""}, source);
  CHECK(file.candidates.empty());
  CHECK(file.directive == directive::kDefault);
  CHECK(dr::commands::complete({"suspend", "migrationschedule", "-f", ""}, source).directive ==
        directive::kDefault);
  // A value nobody can guess: no files either.
  const Completion token = dr::commands::complete({"status", "--token", ""}, source);
  CHECK(token.candidates.empty());
  CHECK(token.directive == directive::kNoFileComp);
}

TEST_CASE("completion: flag names per verb", "[completion]") {
  FakeSource source;
  const Completion status = dr::commands::complete({"status", "--"}, source);
  CHECK(has(status, "--namespace"));
  CHECK(has(status, "--watch"));
  CHECK(has(status, "--all-namespaces"));
  CHECK_FALSE(has(status, "--dry-run"));
  CHECK_FALSE(has(status, "-n"));  // shorthands only for a lone "-"
  CHECK(status.directive == directive::kNoFileComp);
  CHECK(values(dr::commands::complete({"activate", "migration", "--wa"}, source)) ==
        std::vector<std::string>{"--wait"});
  // A subcommand's own flags come once it is named.
  CHECK(values(dr::commands::complete({"activate", "--wa"}, source)).empty());
  CHECK(values(dr::commands::complete({"suspend", "--cl"}, source)) ==
        std::vector<std::string>{"--cluster", "--client-certificate", "--client-key", "--cluster-pair"});
  const Completion dash = dr::commands::complete({"status", "-"}, source);
  CHECK(has(dash, "-n"));
  CHECK(has(dash, "-A"));
  CHECK(has(dash, "--selector"));
  // Before the verb: the dispatcher's own flags.
  CHECK(values(dr::commands::complete({"--"}, source)) == std::vector<std::string>{"--help", "--version"});
  CHECK(source.calls.empty());
}

TEST_CASE("completion: offline cluster means no names, directive 4", "[completion]") {
  FakeSource source;
  source.offline = true;
  for (const auto& words :
       std::vector<std::vector<std::string>>{{"status", "-n", ""},
                                             {"deactivate", "clusterdomain", ""},
                                             {"suspend", "migrationschedule", "-n", "zookeeper", ""},
                                             {"status", "--context", ""}}) {
    const Completion c = dr::commands::complete(words, source);
    CHECK(c.candidates.empty());
    CHECK(c.directive == directive::kNoFileComp);
  }
  CHECK(source.calls.size() == 4);
}

TEST_CASE("completion: cobra's wire format", "[completion]") {
  Completion c;
  c.candidates = {{"status", "Show the DR state"}, {"tab\there", "line\nbreak"}, {"plain", ""}};
  c.directive = directive::kNoFileComp;
  CHECK(dr::commands::render_completion(c, true) ==
        "status\tShow the DR state\ntab here\tline break\nplain\n:4\n");
  CHECK(dr::commands::render_completion(c, false) == "status\ntab here\nplain\n:4\n");
  CHECK(dr::commands::render_completion(Completion{{}, directive::kDefault}, true) == ":0\n");
  CHECK(directive::kError == 1);
  CHECK(directive::kNoSpace == 2);
  CHECK(directive::kFilterFileExt == 8);
  CHECK(directive::kFilterDirs == 16);
  CHECK(directive::kKeepOrder == 32);
}

TEST_CASE("completion: the words kubectl passes, by program name", "[completion]") {
  bool desc = false;
  // kubectl_complete-dr gets the words after `dr`, the last one being completed.
  CHECK(dr::commands::completion_words("/x/kubectl_complete-dr", {"status", ""}, &desc) ==
        std::vector<std::string>{"status", ""});
  CHECK(desc);
  // kubectl_complete-dr-status gets the words after `dr status`.
  CHECK(dr::commands::completion_words("kubectl_complete-dr-status", {"-n", ""}, &desc) ==
        std::vector<std::string>{"status", "-n", ""});
  // cobra-style invocations are accepted too.
  CHECK(dr::commands::completion_words("kubectl_complete-dr", {"__complete", "st"}, &desc) ==
        std::vector<std::string>{"st"});
  CHECK(dr::commands::completion_words("kubectl_complete-dr", {"__completeNoDesc", "st"}, &desc) ==
        std::vector<std::string>{"st"});
  CHECK_FALSE(desc);
  // Run with nothing: complete an empty word.
  CHECK(dr::commands::completion_words("kubectl_complete-dr", {}, &desc) == std::vector<std::string>{""});
  CHECK(dr::commands::completion_words("kubectl_complete-dr-resume", {}, &desc) ==
        std::vector<std::string>{"resume", ""});
}

TEST_CASE("completion: flag lookup", "[completion]") {
  const auto flags = dr::commands::flags_of(dr::commands::find_verb("status"), nullptr);
  REQUIRE(dr::commands::find_flag(flags, "-n") != nullptr);
  CHECK(dr::commands::find_flag(flags, "-n")->name == "namespace");
  CHECK(dr::commands::find_flag(flags, "--namespace=x")->name == "namespace");
  CHECK(dr::commands::find_flag(flags, "--v=3")->name == "v");
  CHECK(dr::commands::find_flag(flags, "-v")->name == "v");
  CHECK(dr::commands::find_flag(flags, "--nope") == nullptr);
  CHECK(dr::commands::find_flag(flags, "-") == nullptr);
  CHECK(dr::commands::find_flag(flags, "-nzookeeper")->name == "namespace");
  CHECK(dr::commands::flags_of(dr::commands::find_verb("nope"), nullptr).empty());
}
