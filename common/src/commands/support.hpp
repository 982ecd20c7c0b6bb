// What the commands share: flag parsing with help and usage errors, connecting, printing objects
// and errors the way kubectl does.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>
#include <cxxopts.hpp>

#include "dr/cli/flags.hpp"
#include "dr/cli/printer.hpp"
#include "dr/commands/session.hpp"
#include "dr/error.hpp"
#include "dr/kube/api_client.hpp"
#include "dr/stork/kube_time.hpp"

namespace dr::commands {

// A parsed command line, or the exit code to return right away (--help printed, usage error).
struct CommandLine {
  cli::CommonFlags flags;
  cxxopts::ParseResult raw;  // for the command's own flags
  std::optional<int> exit_now;

  template <class T>
  T get(const std::string& name, T fallback) const {
    return raw.count(name) ? raw[name].as<T>() : fallback;
  }
  bool has(const std::string& name) const { return raw.count(name) > 0; }
};

CommandLine parse_command_line(cxxopts::Options& options, const cli::HelpSpec& help, int argc,
                               const char* const* argv, Io& io);

// Prints `error` the kubectl way (one line, plus a usage hint for usage errors) and returns 1.
int report_failure(Io& io, const Error& error, std::string_view command);

// Connects with the kubectl flags; `max_inflight` bounds concurrent requests.
Result<std::unique_ptr<kube::ApiClient>> open_client(const cli::CommonFlags& flags,
                                                     std::size_t max_inflight = 32);

// The namespace a namespaced command works in: -n, else the kubeconfig context's, else "default".
std::string effective_namespace(const cli::CommonFlags& flags, kube::ApiClient& client);

// -o json|yaml|name for a set of objects: one object prints alone, several as a List (json/yaml).
void print_objects(Io& io, cli::OutputFormat format, std::vector<rapidjson::Document> objects, bool as_list);

// storkctl's time column: RFC822 in UTC, empty for no time.
std::string storkctl_time(const std::optional<stork::TimePoint>& time);

// kubectl's "No resources found in NS namespace." / "No resources found" (stderr).
void print_no_resources(Io& io, std::string_view ns, bool all_namespaces);

// Parses kubectl-style durations for --timeout ("30s", "5m", "0" = no limit).
Result<std::chrono::milliseconds> parse_timeout_flag(const std::string& text, std::string_view flag);

// Splits comma-separated and repeated flag values: ["a,b", "c"] -> [a, b, c].
std::vector<std::string> split_list(const std::vector<std::string>& values);

}  // namespace dr::commands
