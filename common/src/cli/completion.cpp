#include "dr/cli/completion.hpp"

#include <algorithm>
#include <optional>

#include "dr/cli/dispatch.hpp"
#include "dr/kube/api_client.hpp"
#include "dr/kube/kubeconfig.hpp"
#include "dr/stork/cluster_domains.hpp"
#include "dr/version.hpp"

namespace dr::cli {

namespace {

using FV = FlagValue;

// The verbs' own flags (common/src/commands/verbs.cpp); the end-to-end test dispatcher_completion
// checks every name completed here against each verb's --help.
const FlagSpec kAllNamespaces{"all-namespaces", "A", FV::None, "Across all namespaces"};
const FlagSpec kStorkctlAll{"", "a", FV::None, "Same as -A (storkctl's spelling)"};
const FlagSpec kOutput{"output", "o", FV::Required, "Output format"};
const FlagSpec kNoHeaders{"no-headers", "", FV::None, "Do not print table headers"};
const FlagSpec kDryRun{"dry-run", "", FV::Optional, "none, client or server: show what would change"};
const FlagSpec kSelector{"selector", "l", FV::Required, "Label selector to filter on"};
const FlagSpec kWatch{"watch", "w", FV::None, "After listing, watch for changes"};
const FlagSpec kFilename{"filename", "f", FV::Required, "File with MigrationSchedules ('-' = stdin)"};

const std::vector<FlagSpec> kActivationFlags = {
    {"include-namespaces", "", FV::Required, "Only these namespaces"},
    {"exclude-namespaces", "", FV::Required, "Skip these namespaces"},
    {"exclude-selector", "", FV::Required, "Skip objects matching this label selector"},
    {"resource-types", "", FV::Required, "Only these kinds"},
    {"include-objects", "", FV::Required, "Only these objects: KIND/NAMESPACE/NAME"},
    {"exclude-objects", "", FV::Required, "Skip these objects: KIND/NAMESPACE/NAME"},
    {"max-inflight", "", FV::Required, "Concurrent API requests at most"},
    {"chunk-size", "", FV::Required, "List in pages of this many objects (0 = unpaged)"},
    {"wait", "", FV::None, "Wait until the workloads are ready (activate) or stopped (deactivate)"},
    {"timeout", "", FV::Required, "How long --wait waits"},
    {"name", "", FV::Required, "Name of the ClusterDomainUpdate to create"},
};

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool is_clusterdomain_word(std::string_view w) {
  return w == "clusterdomain" || w == "clusterdomains" || w == "cd";
}
bool is_schedule_word(std::string_view w) {
  return w == "migrationschedule" || w == "migrationschedules";
}

void add_if_prefix(std::vector<Candidate>& out, std::string_view prefix, std::string value,
                   std::string_view description) {
  if (starts_with(value, prefix)) out.push_back({std::move(value), std::string(description)});
}

// What the words before the one being completed say.
struct Parsed {
  std::string verb;  // empty: not typed yet (or unknown, see unknown_verb)
  bool unknown_verb = false;
  std::vector<std::string> positional;  // after the verb
  kube::ConfigOverrides overrides;
  std::optional<FlagSpec> pending;  // the last word was a flag still waiting for its value
  bool all_namespaces = false;
};

// The connection flags the live lookups must honour, as the verb itself would.
void apply_flag_value(Parsed& parsed, const FlagSpec& flag, const std::string& value) {
  auto& o = parsed.overrides;
  const std::string_view name = flag.name;
  if (name == "namespace") o.namespace_name = value;
  if (name == "context") o.context = value;
  if (name == "kubeconfig") o.kubeconfig = value;
  if (name == "cluster") o.cluster = value;
  if (name == "user") o.user = value;
  if (name == "server") o.server = value;
  if (name == "token") o.token = value;
  if (name == "certificate-authority") o.certificate_authority = value;
  if (name == "client-certificate") o.client_certificate = value;
  if (name == "client-key") o.client_key = value;
  if (name == "tls-server-name") o.tls_server_name = value;
  if (name == "insecure-skip-tls-verify") o.insecure_skip_tls_verify = value.empty() || value == "true";
  if (name == "disable-compression") o.disable_compression = value.empty() || value == "true";
  if (name == "as") o.impersonate_user = value;
  if (name == "as-group") o.impersonate_groups.push_back(value);
  if (name == "as-uid") o.impersonate_uid = value;
  if (name == "username") o.username = value;
  if (name == "password") o.password = value;
}

Parsed parse_words(const std::vector<std::string>& words) {
  Parsed parsed;
  std::vector<FlagSpec> flags = kubectl_global_flags();
  bool flags_done = false;  // after "--" every word is positional
  for (const auto& word : words) {
    if (parsed.pending) {
      apply_flag_value(parsed, *parsed.pending, word);
      parsed.pending.reset();
      continue;
    }
    if (!flags_done && word == "--") {
      flags_done = true;
      continue;
    }
    if (!flags_done && word.size() > 1 && word[0] == '-') {
      const FlagSpec* flag = find_flag(flags, word);
      if (!flag) continue;  // unknown flags are the verb's business, not ours
      if (flag->name == "all-namespaces" || flag->shorthand == "a") parsed.all_namespaces = true;
      const auto eq = word.find('=');
      if (eq != std::string::npos) {
        apply_flag_value(parsed, *flag, word.substr(eq + 1));
      } else if (flag->value == FlagValue::Required) {
        parsed.pending = *flag;
      } else {
        apply_flag_value(parsed, *flag, "");  // a boolean flag, present
      }
      continue;
    }
    if (parsed.verb.empty() && !parsed.unknown_verb) {
      if (is_dr_verb(word)) {
        parsed.verb = word;
        flags = verb_flags(word);
      } else {
        parsed.unknown_verb = true;
        parsed.verb = word;
      }
      continue;
    }
    parsed.positional.push_back(word);
  }
  return parsed;
}

// Live names, filtered by prefix; a failing source means no names and no noise.
Completion from_source(const Result<std::vector<Candidate>>& names, std::string_view prefix,
                       std::string_view value_prefix, const std::vector<std::string>& exclude = {}) {
  Completion result;
  if (!names) return result;
  for (const auto& c : *names) {
    if (std::find(exclude.begin(), exclude.end(), c.value) != exclude.end()) continue;
    add_if_prefix(result.candidates, prefix, std::string(value_prefix) + c.value, c.description);
  }
  return result;
}

Completion complete_flag_value(const Parsed& parsed, const FlagSpec& flag, std::string_view prefix,
                               std::string_view value_prefix, NameSource& source) {
  Completion result;
  // value_prefix is "--flag=" when completing inside one word; candidates must carry it.
  const std::string typed = std::string(value_prefix) + std::string(prefix);
  auto fixed = [&](std::initializer_list<std::pair<std::string_view, std::string_view>> values) {
    for (const auto& [value, description] : values) {
      add_if_prefix(result.candidates, typed, std::string(value_prefix) + std::string(value), description);
    }
    return result;
  };
  if (flag.name == "namespace") return from_source(source.namespaces(parsed.overrides), typed, value_prefix);
  if (flag.name == "context") return from_source(source.contexts(parsed.overrides), typed, value_prefix);
  if (flag.name == "output") {
    if (parsed.verb == "status") {
      return fixed(
          {{"json", "JSON"}, {"yaml", "YAML"}, {"name", "kind/name"}, {"wide", "Table with more columns"}});
    }
    return fixed({{"json", "JSON"}, {"yaml", "YAML"}, {"name", "kind/name"}});
  }
  if (flag.name == "dry-run") {
    return fixed({{"none", "Change things"},
                  {"client", "Only print what would change"},
                  {"server", "Ask the server to validate, without persisting"}});
  }
  if (flag.name == "kubeconfig" || flag.name == "certificate-authority" ||
      flag.name == "client-certificate" || flag.name == "client-key" || flag.name == "filename") {
    result.directive = directive::kDefault;  // a file name: the shell completes it
  }
  return result;
}

Completion complete_flag_name(const std::vector<FlagSpec>& flags, std::string_view prefix) {
  Completion result;
  for (const auto& flag : flags) {
    if (!flag.name.empty()) {
      add_if_prefix(result.candidates, prefix, "--" + std::string(flag.name), flag.description);
    }
    if (!flag.shorthand.empty() && prefix.size() <= 1) {
      add_if_prefix(result.candidates, prefix, "-" + std::string(flag.shorthand), flag.description);
    }
  }
  return result;
}

Completion complete_positional(const Parsed& parsed, std::string_view prefix, NameSource& source,
                               const std::vector<std::string>& verbs_kubectl_offers) {
  Completion result;
  if (parsed.unknown_verb) return result;
  if (parsed.verb.empty()) {
    for (const auto& verb : dr_verbs()) {
      const bool offered = std::find(verbs_kubectl_offers.begin(), verbs_kubectl_offers.end(), verb.name) !=
                           verbs_kubectl_offers.end();
      if (!offered) add_if_prefix(result.candidates, prefix, std::string(verb.name), verb.summary);
    }
    add_if_prefix(result.candidates, prefix, "version", "Print the version of kubectl-dr");
    add_if_prefix(result.candidates, prefix, "help", "Help about any command");
    return result;
  }
  const auto& words = parsed.positional;
  if (words.empty()) {
    for (const auto& r : verb_resources(parsed.verb))
      add_if_prefix(result.candidates, prefix, std::string(r.name), r.description);
    return result;
  }
  const std::string& what = words.front();
  if ((parsed.verb == "activate" || parsed.verb == "deactivate") && is_clusterdomain_word(what) &&
      words.size() == 1) {
    return from_source(source.cluster_domains(parsed.overrides), prefix, "");
  }
  if ((parsed.verb == "suspend" || parsed.verb == "resume") && is_schedule_word(what) &&
      !parsed.all_namespaces) {
    // NAME...: offer the schedules not named yet.
    std::vector<std::string> named(words.begin() + 1, words.end());
    return from_source(source.migration_schedules(parsed.overrides), prefix, "", named);
  }
  return result;
}

// Lists from the cluster. Each lookup connects afresh: completion answers one question per run.
class ClusterNameSource : public NameSource {
 public:
  explicit ClusterNameSource(std::chrono::milliseconds request_timeout) : request_timeout_(request_timeout) {}

  Result<std::vector<Candidate>> namespaces(const kube::ConfigOverrides& overrides) override {
    return names_of(overrides, kube::types::namespaces, "",
                    [](const rapidjson::Value&) { return std::string(); });
  }

  Result<std::vector<Candidate>> cluster_domains(const kube::ConfigOverrides& overrides) override {
    auto client = connect(overrides);
    if (!client) return std::move(client).error();
    std::vector<Candidate> out;
    Status listed = (*client)->list(
        kube::types::clusterdomainsstatuses, "", {},
        [&](rapidjson::Value& items, std::string_view) -> Status {
          for (const auto& row : stork::cluster_domains_status_rows(items)) {
            for (const auto& d : row.domains) {
              const bool seen =
                  std::any_of(out.begin(), out.end(), [&](const Candidate& c) { return c.value == d.name; });
              if (!seen) {
                out.push_back({d.name, d.state == stork::DomainState::Active ? "Active" : "Inactive"});
              }
            }
          }
          return {};
        });
    if (!listed) return std::move(listed).error();
    return out;
  }

  Result<std::vector<Candidate>> migration_schedules(const kube::ConfigOverrides& overrides) override {
    auto client = connect(overrides);
    if (!client) return std::move(client).error();
    const std::string ns = (*client)->config().namespace_name;
    return list_names(**client, kube::types::migrationschedules, ns, [](const rapidjson::Value& item) {
      const auto spec = item.FindMember("spec");
      if (spec == item.MemberEnd() || !spec->value.IsObject()) return std::string();
      const auto suspend = spec->value.FindMember("suspend");
      const bool suspended =
          suspend != spec->value.MemberEnd() && suspend->value.IsBool() && suspend->value.GetBool();
      return std::string(suspended ? "suspended" : "");
    });
  }

  Result<std::vector<Candidate>> contexts(const kube::ConfigOverrides& overrides) override {
    auto set = kube::load_kubeconfig(overrides, kube::Environment::process());
    if (!set) return std::move(set).error();
    std::vector<Candidate> out;
    for (const auto& name : set->context_names()) {
      out.push_back({name, name == set->current_context ? "current context" : ""});
    }
    return out;
  }

 private:
  Result<std::unique_ptr<kube::ApiClient>> connect(const kube::ConfigOverrides& overrides) {
    auto config = kube::load_rest_config(overrides);
    if (!config) return std::move(config).error();
    config->request_timeout = request_timeout_;
    kube::TransportOptions options;
    options.user_agent = "kubectl-dr/" + dr::version() + " (" + dr::platform() + ") completion";
    options.max_inflight = 1;
    options.retry.max_attempts = 1;
    options.connect_timeout = request_timeout_;
    return std::make_unique<kube::ApiClient>(std::move(*config), options);
  }

  template <class Describe>
  static Result<std::vector<Candidate>> list_names(kube::ApiClient& client, const kube::ResourceType& type,
                                                   std::string_view ns, Describe describe) {
    std::vector<Candidate> out;
    Status listed = client.list(type, ns, {}, [&](rapidjson::Value& items, std::string_view) -> Status {
      if (!items.IsArray()) return {};
      for (const auto& item : items.GetArray()) {
        const auto metadata = item.FindMember("metadata");
        if (metadata == item.MemberEnd() || !metadata->value.IsObject()) continue;
        const auto name = metadata->value.FindMember("name");
        if (name == metadata->value.MemberEnd() || !name->value.IsString()) continue;
        out.push_back({name->value.GetString(), describe(item)});
      }
      return {};
    });
    if (!listed) return std::move(listed).error();
    return out;
  }

  template <class Describe>
  Result<std::vector<Candidate>> names_of(const kube::ConfigOverrides& overrides,
                                          const kube::ResourceType& type, std::string_view ns,
                                          Describe describe) {
    auto client = connect(overrides);
    if (!client) return std::move(client).error();
    return list_names(**client, type, ns, describe);
  }

  std::chrono::milliseconds request_timeout_;
};

}  // namespace

std::unique_ptr<NameSource> make_cluster_name_source(std::chrono::milliseconds request_timeout) {
  return std::make_unique<ClusterNameSource>(request_timeout);
}

std::vector<FlagSpec> verb_flags(std::string_view verb) {
  if (!is_dr_verb(verb)) return {};
  std::vector<FlagSpec> flags = kubectl_global_flags();
  flags.push_back(kAllNamespaces);
  flags.push_back(kStorkctlAll);
  flags.push_back(kOutput);
  flags.push_back(kNoHeaders);
  if (verb == "activate" || verb == "deactivate") {
    flags.push_back(kDryRun);
    flags.push_back(kSelector);
    flags.insert(flags.end(), kActivationFlags.begin(), kActivationFlags.end());
    if (verb == "activate") flags.push_back({"all", "", FV::None, "Activate every inactive cluster domain"});
  } else if (verb == "status") {
    flags.push_back(kSelector);
    flags.push_back(kWatch);
  } else {  // suspend, resume
    flags.push_back(kDryRun);
    flags.push_back(kFilename);
    flags.push_back({"all", "", FV::None, "Every MigrationSchedule in the namespace (or all with -A)"});
    flags.push_back({"cluster-pair", "c", FV::Required, "Every MigrationSchedule using this ClusterPair"});
  }
  return flags;
}

std::vector<ResourceWord> verb_resources(std::string_view verb) {
  if (verb == "activate") {
    return {{"clusterdomain", "Mark a cluster domain active"},
            {"migration", "Start the applications Stork migrated here"}};
  }
  if (verb == "deactivate") {
    return {{"clusterdomain", "Mark a cluster domain inactive"},
            {"migration", "Stop the migrated applications (counts kept)"},
            {"apps", "Stop every application, recording its replica count"}};
  }
  if (verb == "status") {
    return {{"clusterdomains", "Which cluster domains are active (the default)"},
            {"clusterdomainupdates", "Requested domain changes"},
            {"migrationschedules", "Schedules and their last migration"},
            {"migrations", "Migrations"},
            {"apps", "Workloads with a recorded replica count"}};
  }
  if (verb == "suspend") return {{"migrationschedule", "Suspend MigrationSchedules"}};
  if (verb == "resume") return {{"migrationschedule", "Resume MigrationSchedules"}};
  return {};
}

Completion complete(const std::vector<std::string>& words, NameSource& source,
                    const std::vector<std::string>& verbs_kubectl_offers) {
  const std::string to_complete = words.empty() ? std::string() : words.back();
  const std::vector<std::string> before(words.begin(), words.empty() ? words.begin() : words.end() - 1);
  const Parsed parsed = parse_words(before);
  if (parsed.unknown_verb) return {};

  if (parsed.pending) return complete_flag_value(parsed, *parsed.pending, to_complete, "", source);

  if (to_complete.size() >= 1 && to_complete[0] == '-') {
    const std::vector<FlagSpec> flags =
        parsed.verb.empty()
            ? std::vector<FlagSpec>{{"help", "h", FV::None, "Help for kubectl dr"},
                                    {"version", "", FV::None, "Print the version of kubectl-dr"}}
            : verb_flags(parsed.verb);
    const auto eq = to_complete.find('=');
    if (eq != std::string::npos) {
      const FlagSpec* flag = find_flag(flags, to_complete);
      if (!flag || flag->value == FlagValue::None) return {};
      return complete_flag_value(parsed, *flag, to_complete.substr(eq + 1), to_complete.substr(0, eq + 1),
                                 source);
    }
    return complete_flag_name(flags, to_complete);
  }
  return complete_positional(parsed, to_complete, source, verbs_kubectl_offers);
}

std::string render_completion(const Completion& completion, bool with_descriptions) {
  auto clean = [](std::string s) {
    std::replace_if(
        s.begin(), s.end(), [](char c) { return c == '\t' || c == '\n' || c == '\r'; }, ' ');
    return s;
  };
  std::string out;
  for (const auto& c : completion.candidates) {
    out += clean(c.value);
    if (with_descriptions && !c.description.empty()) out += "\t" + clean(c.description);
    out += "\n";
  }
  out += ":" + std::to_string(completion.directive) + "\n";
  return out;
}

std::vector<std::string> completion_words(std::string_view program, const std::vector<std::string>& args,
                                          bool* with_descriptions) {
  if (with_descriptions) *with_descriptions = true;
  std::vector<std::string> words;
  const auto slash = program.rfind('/');
  const std::string_view base = slash == std::string_view::npos ? program : program.substr(slash + 1);
  constexpr std::string_view kPrefix = "kubectl_complete-dr-";
  if (starts_with(base, kPrefix)) {
    // kubectl_complete-dr-status: kubectl found kubectl-dr-status on PATH and passes what follows it.
    std::string verb(base.substr(kPrefix.size()));
    std::replace(verb.begin(), verb.end(), '_', '-');
    words.push_back(verb);
  }
  std::size_t first = 0;
  if (!args.empty() && (args[0] == "__complete" || args[0] == "__completeNoDesc")) {
    if (args[0] == "__completeNoDesc" && with_descriptions) *with_descriptions = false;
    first = 1;
  }
  words.insert(words.end(), args.begin() + static_cast<std::ptrdiff_t>(first), args.end());
  if (args.size() == first) words.push_back("");  // run with nothing to complete: an empty word
  return words;
}

}  // namespace dr::cli
