#include "support.hpp"

#include <ostream>

#include "dr/cli/format.hpp"
#include "dr/cli/report.hpp"
#include "dr/kube/transport.hpp"

namespace dr::commands {

CommandLine parse_command_line(cxxopts::Options& options, const cli::HelpSpec& help, int argc,
                               const char* const* argv, Io& io) {
  CommandLine line;
  auto parsed = cli::parse_command_line(options, argc, argv, &line.raw);
  if (!parsed) {
    line.exit_now = report_failure(io, parsed.error(), help.command);
    return line;
  }
  line.flags = std::move(parsed).value();
  if (line.flags.help) {
    io.out << cli::help_text(help, options);
    line.exit_now = 0;
  }
  return line;
}

int report_failure(Io& io, const Error& error, std::string_view command) {
  // One place words the hint: flag errors get kubectl's "--help' for usage." line.
  return cli::report_error(error, io.err, command);
}

Result<std::unique_ptr<kube::ApiClient>> open_client(const cli::CommonFlags& flags,
                                                     std::size_t max_inflight) {
  ConnectOptions options;
  options.max_inflight = max_inflight;
  return connect(flags.overrides, options);
}

std::string effective_namespace(const cli::CommonFlags& flags, kube::ApiClient& client) {
  if (!flags.overrides.namespace_name.empty()) return flags.overrides.namespace_name;
  return client.config().namespace_name.empty() ? "default" : client.config().namespace_name;
}

void print_objects(Io& io, cli::OutputFormat format, std::vector<rapidjson::Document> objects, bool as_list) {
  if (format == cli::OutputFormat::Name) {
    for (const auto& object : objects) {
      std::string kind;
      std::string api_version;
      std::string name;
      if (auto k = object.FindMember("kind"); k != object.MemberEnd() && k->value.IsString())
        kind = k->value.GetString();
      if (auto a = object.FindMember("apiVersion"); a != object.MemberEnd() && a->value.IsString()) {
        api_version = a->value.GetString();
      }
      if (auto m = object.FindMember("metadata"); m != object.MemberEnd() && m->value.IsObject()) {
        if (auto n = m->value.FindMember("name"); n != m->value.MemberEnd() && n->value.IsString()) {
          name = n->value.GetString();
        }
      }
      io.out << cli::object_name_for_output(kind, api_version, name) << "\n";
    }
    return;
  }
  if (!as_list && objects.size() == 1) {
    if (format == cli::OutputFormat::Yaml) {
      cli::print_yaml(io.out, objects.front());
    } else {
      cli::print_json(io.out, objects.front());
    }
    return;
  }
  auto list = cli::make_list(std::move(objects));
  if (format == cli::OutputFormat::Yaml) {
    cli::print_yaml(io.out, list);
  } else {
    cli::print_json(io.out, list);
  }
}

std::string storkctl_time(const std::optional<stork::TimePoint>& time) {
  if (!time) return "";
  return cli::format_rfc822(*time);
}

void print_no_resources(Io& io, std::string_view ns, bool all_namespaces) {
  if (all_namespaces || ns.empty()) {
    io.err << "No resources found\n";
  } else {
    io.err << "No resources found in " << ns << " namespace.\n";
  }
}

Result<std::chrono::milliseconds> parse_timeout_flag(const std::string& text, std::string_view flag) {
  auto parsed = kube::parse_request_timeout(text);
  if (!parsed) {
    return Error::usage("invalid argument \"" + text + "\" for \"" + std::string(flag) +
                        "\" flag: expected a duration such as 30s, 5m or 1h");
  }
  return parsed;
}

std::vector<std::string> split_list(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const auto& value : values) {
    std::size_t start = 0;
    while (start <= value.size()) {
      auto comma = value.find(',', start);
      if (comma == std::string::npos) comma = value.size();
      if (comma > start) out.push_back(value.substr(start, comma - start));
      start = comma + 1;
    }
  }
  return out;
}

}  // namespace dr::commands
