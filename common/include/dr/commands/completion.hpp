// Shell completion for `kubectl dr ...` (kubectl >= 1.26 runs `kubectl_complete-dr WORDS...`, the
// words after `dr` with the word being completed last, possibly empty). The answer follows cobra's
// protocol: one candidate per line, optionally `candidate<TAB>description`, then `:<directive>`.
// This is the pure part: words + a source of live names -> candidates + directive. Verbs,
// subcommands and flags come from the verb table (dr/commands/verb_table.hpp).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dr/core/error.hpp"
#include "dr/kube/rest_config.hpp"

namespace dr::commands {

// cobra's ShellCompDirective bits (spf13/cobra completions.go).
namespace directive {
inline constexpr int kDefault = 0;        // let the shell do its default (file completion)
inline constexpr int kError = 1;          // ignore the completions
inline constexpr int kNoSpace = 2;        // no space after a single completion
inline constexpr int kNoFileComp = 4;     // no file completion when nothing matches
inline constexpr int kFilterFileExt = 8;  // candidates are file extensions
inline constexpr int kFilterDirs = 16;    // complete directories only
inline constexpr int kKeepOrder = 32;     // keep the order given
}  // namespace directive

struct Candidate {
  std::string value;
  std::string description;  // may be empty
  bool operator==(const Candidate&) const = default;
};

struct Completion {
  std::vector<Candidate> candidates;
  int directive = directive::kNoFileComp;
};

// Where live names come from: the cluster the words select (their kubectl flags are in
// `overrides`), or a fake in tests. Errors are swallowed by the completer (offline = no names).
class NameSource {
 public:
  virtual ~NameSource() = default;
  virtual Result<std::vector<Candidate>> namespaces(const kube::ConfigOverrides& overrides) = 0;
  // The domains of the ClusterDomainsStatus; description = their state (Active, Inactive).
  virtual Result<std::vector<Candidate>> cluster_domains(const kube::ConfigOverrides& overrides) = 0;
  // MigrationSchedules in overrides.namespace_name (empty = the context's namespace).
  virtual Result<std::vector<Candidate>> migration_schedules(const kube::ConfigOverrides& overrides) = 0;
  // Context names of the kubeconfig the flags select.
  virtual Result<std::vector<Candidate>> contexts(const kube::ConfigOverrides& overrides) = 0;
};

// The real thing: lists from the cluster the flags select, each request bounded by
// `request_timeout` and never retried, so an offline cluster costs at most about that long.
std::unique_ptr<NameSource> make_cluster_name_source(
    std::chrono::milliseconds request_timeout = std::chrono::milliseconds(1500));

// Completes `words` (the plugin's arguments; the last one is being completed). The candidates are
// those starting with the last word. Verbs in `verbs_kubectl_offers` are left out of the verb list:
// kubectl already lists a verb whose kubectl-dr-VERB executable is on PATH.
Completion complete(const std::vector<std::string>& words, NameSource& source,
                    const std::vector<std::string>& verbs_kubectl_offers = {});

// cobra's wire format: "value\tdescription\n" (descriptions dropped when !with_descriptions or
// empty; tabs and newlines inside them become spaces), then ":<directive>\n".
std::string render_completion(const Completion& completion, bool with_descriptions);

// The words to complete for the completion executable invoked as `program` with `args` (argv[1..]):
// drops a leading `__complete`/`__completeNoDesc` (setting *with_descriptions), and, for the
// kubectl_complete-dr-VERB spelling kubectl looks up when kubectl-dr-VERB is itself on PATH,
// prepends VERB. Always returns at least one word (the one being completed, maybe empty).
std::vector<std::string> completion_words(std::string_view program, const std::vector<std::string>& args,
                                          bool* with_descriptions);

}  // namespace dr::commands
