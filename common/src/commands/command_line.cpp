#include "dr/commands/command_line.hpp"

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include "dr/core/duration.hpp"
#include "dr/core/log.hpp"
#include "dr/core/strings.hpp"

namespace dr::commands {

namespace {

constexpr const char* kGlobalGroup = "Global";

std::string option_spec(const FlagDef& flag) {
  if (flag.name.size() == 1 || flag.name.empty())
    return std::string(flag.name.empty() ? flag.shorthand : flag.name);
  if (flag.shorthand.empty()) return std::string(flag.name);
  return std::string(flag.shorthand) + "," + std::string(flag.name);
}

// The key cxxopts files a flag's values under.
std::string option_key(const FlagDef& flag) {
  return std::string(flag.name.empty() ? flag.shorthand : flag.name);
}

std::shared_ptr<cxxopts::Value> option_value(const FlagDef& flag) {
  switch (flag.type) {
    case FlagType::Bool:
      return cxxopts::value<bool>();
    case FlagType::Int: {
      auto value = cxxopts::value<int>();
      if (!flag.default_value.empty()) value->default_value(std::string(flag.default_value));
      return value;
    }
    case FlagType::Text: {
      auto value = cxxopts::value<std::string>();
      if (!flag.default_value.empty()) value->default_value(std::string(flag.default_value));
      if (!flag.implicit_value.empty()) value->implicit_value(std::string(flag.implicit_value));
      return value;
    }
    case FlagType::List:
    case FlagType::Repeated:
      // One string per occurrence, read back from arguments(): cxxopts' own vectors split at commas.
      return cxxopts::value<std::string>();
  }
  return cxxopts::value<std::string>();
}

void register_flags(cxxopts::Options& options, const std::vector<const FlagDef*>& flags) {
  const auto& globals = global_flags();
  for (const FlagDef* flag : flags) {
    const bool global = std::find(globals.begin(), globals.end(), flag) != globals.end();
    options.add_options(global ? kGlobalGroup : "")(option_spec(*flag), std::string(flag->help),
                                                    option_value(*flag));
  }
  options.add_options()(std::string(cli::kPositionalArgs), "", cxxopts::value<std::vector<std::string>>());
  options.parse_positional({std::string(cli::kPositionalArgs)});
}

std::vector<std::string> raw_values(const cxxopts::ParseResult& result, const std::string& key) {
  std::vector<std::string> values;
  for (const auto& kv : result.arguments()) {
    if (kv.key() == key) values.push_back(kv.value());
  }
  return values;
}

// pflag's StringSlice: every occurrence, each split at commas, empty pieces dropped.
std::vector<std::string> split_at_commas(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const auto& value : values) {
    for (auto piece : strings::split(value, ',')) {
      if (!piece.empty()) out.emplace_back(piece);
    }
  }
  return out;
}

// kubectl's flag layout: "    -n, --namespace='':" then the help on the next line after a tab.
void describe_flags(std::ostringstream& out, std::vector<const FlagDef*> flags) {
  auto key = [](const FlagDef* f) { return f->name.empty() ? f->shorthand : f->name; };
  std::stable_sort(flags.begin(), flags.end(),
                   [&](const FlagDef* a, const FlagDef* b) { return key(a) < key(b); });
  for (const FlagDef* flag : flags) {
    out << "    ";
    if (flag->name.size() <= 1) {
      out << "-" << key(flag);
    } else {
      if (!flag->shorthand.empty()) out << "-" << flag->shorthand << ", ";
      out << "--" << flag->name;
    }
    switch (flag->type) {
      case FlagType::Bool:
        out << "=false";
        break;
      case FlagType::List:
      case FlagType::Repeated:
        out << "=[]";
        break;
      case FlagType::Int:
        out << "=" << (flag->default_value.empty() ? "0" : flag->default_value);  // ints bare, as pflag
        break;
      case FlagType::Text:
        out << "='" << flag->default_value << "'";
        break;
    }
    out << ":\n\t" << flag->help << "\n\n";
  }
}

std::string trimmed(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  return std::string(text);
}

}  // namespace

const FlagDef& Invocation::declared(std::string_view name, FlagType type) const {
  for (const FlagDef* flag : flags) {
    if ((flag->name == name || (flag->name.empty() && flag->shorthand == name)) &&
        (flag->type == type || (type == FlagType::List && flag->type == FlagType::Repeated))) {
      return *flag;
    }
  }
  throw std::logic_error("flag --" + std::string(name) + " is not declared for " + command() +
                         " with that type in the verb table");
}

bool Invocation::flag(std::string_view name) const {
  const FlagDef& def = declared(name, FlagType::Bool);
  const std::string key = option_key(def);
  return raw.count(key) > 0 ? raw[key].as<bool>() : def.default_value == "true";
}

std::string Invocation::text(std::string_view name) const {
  const FlagDef& def = declared(name, FlagType::Text);
  const std::string key = option_key(def);
  return raw.count(key) > 0 ? raw[key].as<std::string>() : std::string(def.default_value);
}

int Invocation::integer(std::string_view name) const {
  const FlagDef& def = declared(name, FlagType::Int);
  const std::string key = option_key(def);
  if (raw.count(key) > 0) return raw[key].as<int>();
  return def.default_value.empty() ? 0 : std::stoi(std::string(def.default_value));
}

std::vector<std::string> Invocation::list(std::string_view name) const {
  const FlagDef& def = declared(name, FlagType::List);
  auto values = raw_values(raw, option_key(def));
  return def.type == FlagType::List ? split_at_commas(values) : values;
}

Result<std::chrono::milliseconds> Invocation::duration(std::string_view name) const {
  const std::string value = text(name);
  auto parsed = parse_request_timeout(value);
  if (!parsed) {
    return Error::usage("invalid argument \"" + value + "\" for \"--" + std::string(name) +
                        "\" flag: expected a duration such as 30s, 5m or 1h");
  }
  return parsed;
}

std::string Invocation::command() const {
  return verb == nullptr ? "kubectl dr" : "kubectl dr " + std::string(verb->name);
}

Result<Invocation> parse_invocation(const VerbDef& verb, int argc, const char* const* argv) {
  Invocation invocation;
  invocation.verb = &verb;
  const SubcommandWord named = find_subcommand_word(verb, argc, argv);
  invocation.subcommand = named.word.empty() ? verb.default_subcommand() : named.subcommand;
  invocation.subcommand_named = !named.word.empty();
  // Until the subcommand is known, any of its flags may be there: the missing or unknown subcommand
  // is the error to report, not a flag of it.
  invocation.flags =
      invocation.subcommand != nullptr ? flags_of(&verb, invocation.subcommand) : all_flags_of(verb);

  cxxopts::Options options("kubectl dr " + std::string(verb.name), std::string(verb.summary));
  register_flags(options, invocation.flags);
  auto parsed = cli::parse_args(options, argc, argv);
  if (!parsed) return std::move(parsed).error();
  auto common = cli::read_common_flags(*parsed);
  if (!common) return std::move(common).error();
  log::set_verbosity(common->verbosity);
  invocation.common = std::move(common).value();
  invocation.raw = std::move(parsed).value();
  invocation.help = invocation.common.help;
  if (invocation.help) return invocation;

  if (!named.word.empty() && named.subcommand == nullptr) return verb.unknown_subcommand(named.word);
  if (invocation.subcommand == nullptr) return verb.missing_subcommand();
  // The words after the subcommand's own (a default subcommand has none among them).
  const auto& words = invocation.common.positional;
  invocation.arguments.assign(words.begin() + (named.word.empty() ? 0 : 1), words.end());
  return invocation;
}

std::string help_text(const VerbDef& verb, const SubcommandDef* subcommand) {
  std::ostringstream out;
  out << verb.long_description << "\n";
  const std::string_view examples =
      subcommand != nullptr && !subcommand->examples.empty() ? subcommand->examples : verb.examples;
  if (!examples.empty()) out << "\nExamples:\n" << trimmed(examples) << "\n";
  if (subcommand == nullptr) {
    out << "\nAvailable Commands:\n";
    std::size_t width = 0;
    for (const auto& sub : verb.subcommands) width = std::max(width, sub.name.size());
    for (const auto& sub : verb.subcommands) {
      out << "  " << sub.name << std::string(width + 3 - sub.name.size(), ' ') << sub.summary << "\n";
    }
  }
  // A verb alone lists the flags every subcommand accepts; each subcommand's --help has the rest.
  std::vector<const FlagDef*> own;
  const auto& globals = global_flags();
  for (const FlagDef* flag : flags_of(&verb, subcommand)) {
    if (std::find(globals.begin(), globals.end(), flag) == globals.end()) own.push_back(flag);
  }
  std::ostringstream own_text;
  describe_flags(own_text, own);
  if (!own_text.str().empty()) {
    out << "\nOptions:\n" << own_text.str();
  } else {
    out << "\n";
  }
  const std::string_view use = subcommand != nullptr && !subcommand->use.empty() ? subcommand->use : verb.use;
  out << "Usage:\n  " << use << "\n\n";
  if (subcommand == nullptr && verb.default_subcommand() == nullptr) {
    out << "Use \"kubectl dr " << verb.name
        << " <command> --help\" for more information about a command.\n\n";
  }
  out << "Global options (accepted by every kubectl dr command):\n";
  describe_flags(out, global_flags());
  return trimmed(out.str()) + "\n";
}

std::string_view flag_summary(const FlagDef& flag) {
  std::string_view help = flag.help;
  const auto end = help.find(". ");
  if (end != std::string_view::npos) help = help.substr(0, end);
  if (!help.empty() && help.back() == '.') help.remove_suffix(1);
  return help;
}

}  // namespace dr::commands
