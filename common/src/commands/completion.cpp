#include "dr/commands/completion.hpp"

#include <algorithm>
#include <optional>

#include "dr/commands/command_line.hpp"
#include "dr/commands/verb_table.hpp"
#include "dr/core/json.hpp"
#include "dr/kube/api_client.hpp"
#include "dr/kube/kubeconfig.hpp"
#include "dr/stork/cluster_domains.hpp"
#include "dr/version.hpp"

namespace dr::commands {

namespace {

void add_if_prefix(std::vector<Candidate>& out, std::string_view prefix, std::string value,
                   std::string_view description) {
  if (std::string_view(value).starts_with(prefix))
    out.push_back({std::move(value), std::string(description)});
}

// What the words before the one being completed say.
struct Parsed {
  const VerbDef* verb = nullptr;
  bool unknown_verb = false;
  const SubcommandDef* subcommand = nullptr;  // named, or nullptr
  std::vector<std::string> positional;        // after the verb, the subcommand word first
  kube::ConfigOverrides overrides;
  const FlagDef* pending = nullptr;  // the last word was a flag still waiting for its value
  bool all_namespaces = false;
};

// The connection flags the live lookups must honour, as the verb itself would.
void apply_flag_value(Parsed& parsed, const FlagDef& flag, const std::string& value) {
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
  std::vector<const FlagDef*> flags = global_flags();
  bool flags_done = false;  // after "--" every word is positional
  for (const auto& word : words) {
    if (parsed.pending != nullptr) {
      apply_flag_value(parsed, *parsed.pending, word);
      parsed.pending = nullptr;
      continue;
    }
    if (!flags_done && word == "--") {
      flags_done = true;
      continue;
    }
    if (!flags_done && word.size() > 1 && word[0] == '-') {
      const FlagDef* flag = find_flag(flags, word);
      if (flag == nullptr) continue;  // unknown flags are the verb's business, not ours
      if (flag->name == "all-namespaces" || flag->shorthand == "a") parsed.all_namespaces = true;
      const auto eq = word.find('=');
      if (eq != std::string::npos) {
        apply_flag_value(parsed, *flag, word.substr(eq + 1));
      } else if (takes_next_word(*flag, word)) {
        parsed.pending = flag;
      } else {
        apply_flag_value(parsed, *flag, "");  // a boolean flag, present
      }
      continue;
    }
    if (parsed.verb == nullptr && !parsed.unknown_verb) {
      parsed.verb = find_verb(word);
      parsed.unknown_verb = parsed.verb == nullptr;
      if (parsed.verb != nullptr) flags = all_flags_of(*parsed.verb);  // to know which take a value
      continue;
    }
    if (parsed.verb != nullptr && parsed.positional.empty()) {
      parsed.subcommand = parsed.verb->find_subcommand(word);
      if (parsed.subcommand != nullptr) flags = flags_of(parsed.verb, parsed.subcommand);
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

Completion complete_flag_value(const Parsed& parsed, const FlagDef& flag, std::string_view prefix,
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
  switch (flag.values) {
    case ValueSource::Namespaces:
      return from_source(source.namespaces(parsed.overrides), typed, value_prefix);
    case ValueSource::Contexts:
      return from_source(source.contexts(parsed.overrides), typed, value_prefix);
    case ValueSource::OutputFormatsWide:
      return fixed(
          {{"json", "JSON"}, {"yaml", "YAML"}, {"name", "kind/name"}, {"wide", "Table with more columns"}});
    case ValueSource::OutputFormats:
      return fixed({{"json", "JSON"}, {"yaml", "YAML"}, {"name", "kind/name"}});
    case ValueSource::OutputFormatsReport:
      return fixed({{"json", "JSON"}, {"yaml", "YAML"}});
    case ValueSource::DryRunStrategy:
      return fixed({{"none", "Change things"},
                    {"client", "Only print what would change"},
                    {"server", "Ask the server to validate, without persisting"}});
    case ValueSource::Files:
      result.directive = directive::kDefault;  // a file name: the shell completes it
      return result;
    case ValueSource::None:
      break;
  }
  return result;
}

Completion complete_flag_name(const std::vector<const FlagDef*>& flags, std::string_view prefix) {
  Completion result;
  for (const FlagDef* flag : flags) {
    if (!flag->name.empty()) {
      add_if_prefix(result.candidates, prefix, "--" + std::string(flag->name), flag_summary(*flag));
    }
    if (!flag->shorthand.empty() && prefix.size() <= 1) {
      add_if_prefix(result.candidates, prefix, "-" + std::string(flag->shorthand), flag_summary(*flag));
    }
  }
  return result;
}

Completion complete_positional(const Parsed& parsed, std::string_view prefix, NameSource& source,
                               const std::vector<std::string>& verbs_kubectl_offers) {
  Completion result;
  if (parsed.unknown_verb) return result;
  if (parsed.verb == nullptr) {
    for (const auto& verb : verb_table()) {
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
    for (const auto& sub : parsed.verb->subcommands) {
      add_if_prefix(result.candidates, prefix, std::string(sub.name), sub.summary);
    }
    return result;
  }
  if (parsed.subcommand == nullptr) return result;
  switch (parsed.subcommand->arguments) {
    case ArgumentSource::ClusterDomain:
      if (words.size() == 1) return from_source(source.cluster_domains(parsed.overrides), prefix, "");
      break;
    case ArgumentSource::MigrationSchedules:
      if (!parsed.all_namespaces) {
        // NAME...: offer the schedules not named yet.
        std::vector<std::string> named(words.begin() + 1, words.end());
        return from_source(source.migration_schedules(parsed.overrides), prefix, "", named);
      }
      break;
    case ArgumentSource::None:
      break;
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
    Result<void> listed = (*client)->list(
        kube::types::clusterdomainsstatuses, "", {},
        [&](rapidjson::Value& items, std::string_view) -> Result<void> {
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
    Result<void> listed =
        client.list(type, ns, {}, [&](rapidjson::Value& items, std::string_view) -> Result<void> {
          if (!items.IsArray()) return {};
          for (const auto& item : items.GetArray()) {
            const std::string_view name = json::object_name(item);
            if (!name.empty()) out.push_back({std::string(name), describe(item)});
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

Completion complete(const std::vector<std::string>& words, NameSource& source,
                    const std::vector<std::string>& verbs_kubectl_offers) {
  const std::string to_complete = words.empty() ? std::string() : words.back();
  const std::vector<std::string> before(words.begin(), words.empty() ? words.begin() : words.end() - 1);
  const Parsed parsed = parse_words(before);
  if (parsed.unknown_verb) return {};

  if (parsed.pending != nullptr) return complete_flag_value(parsed, *parsed.pending, to_complete, "", source);

  if (to_complete.size() >= 1 && to_complete[0] == '-') {
    static const FlagDef kDispatcherHelp{"help", "h", FlagType::Bool, "Help for kubectl dr"};
    static const FlagDef kDispatcherVersion{"version", "", FlagType::Bool, "Print the version of kubectl-dr"};
    const std::vector<const FlagDef*> flags =
        parsed.verb == nullptr ? std::vector<const FlagDef*>{&kDispatcherHelp, &kDispatcherVersion}
                               : flags_of(parsed.verb, parsed.subcommand);
    const auto eq = to_complete.find('=');
    if (eq != std::string::npos) {
      const FlagDef* flag = find_flag(flags, to_complete);
      if (flag == nullptr || !flag->takes_value()) return {};
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
  if (base.starts_with(kPrefix)) {
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
  if (args.size() == first) words.emplace_back();  // run with nothing to complete: an empty word
  return words;
}

}  // namespace dr::commands
