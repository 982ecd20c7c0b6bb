// The five verbs: their flags, their help, and which subcommand a resource word selects.
#include "dr/commands/commands.hpp"
#include "subcommands.hpp"

namespace dr::commands {

namespace {

void add_narrowing_flags(cxxopts::Options& options) {
  options.add_options("Selection")("include-namespaces",
                                   "Only these namespaces (comma-separated or repeated)",
                                   cxxopts::value<std::vector<std::string>>())(
      "exclude-namespaces", "Skip these namespaces", cxxopts::value<std::vector<std::string>>())(
      "exclude-selector", "Skip objects matching this label selector (repeatable; any match excludes)",
      cxxopts::value<std::vector<std::string>>())(
      "resource-types", "Only these kinds: KIND or GROUP/VERSION/KIND, e.g. StatefulSet,apps/v1/Deployment",
      cxxopts::value<std::vector<std::string>>())("include-objects",
                                                  "Only these objects: KIND/NAMESPACE/NAME",
                                                  cxxopts::value<std::vector<std::string>>())(
      "exclude-objects", "Skip these objects: KIND/NAMESPACE/NAME",
      cxxopts::value<std::vector<std::string>>());
}

void add_activation_flags(cxxopts::Options& options) {
  options.add_options("Execution")(
      "max-inflight",
      "Concurrent API requests at most; the tool sends fewer (down to 8) while the server's answers "
      "slow down from queueing, and halves them after a 429 or 503",
      cxxopts::value<int>()->default_value("32"))(
      "chunk-size", "List workloads in pages of this many objects (0 = one unpaged list, as kubectl get)",
      cxxopts::value<int>()->default_value("500"))(
      "wait", "Wait until the workloads report ready (activate) or 0 replicas (deactivate)")(
      "timeout", "How long --wait waits (0 = forever)", cxxopts::value<std::string>()->default_value("5m"));
}

void add_domain_flags(cxxopts::Options& options, bool allow_all) {
  options.add_options("Cluster domain")(
      "name", "Name of the ClusterDomainUpdate to create (default: a random UUID, as storkctl)",
      cxxopts::value<std::string>());
  if (allow_all) options.add_options("Cluster domain")("all", "Activate every inactive cluster domain");
}

cxxopts::Options verb_options(const std::string& program, const std::string& description) {
  cxxopts::Options options(program, description);
  cli::add_kubectl_flags(options);
  return options;
}

const char* kActivateExamples =
    R"(  # Start the migrated applications of one namespace on this (destination) cluster
  kubectl dr activate migration -n zookeeper

  # Every namespace at once, waiting until the pods are ready
  kubectl dr activate migration --all-namespaces --wait

  # See what would change, as JSON for jq
  kubectl dr activate migration -A --dry-run=client -o json | jq '.items[] | select(.outcome=="planned")'

  # Only statefulsets labelled tier=db, except one
  kubectl dr activate migration -A -l tier=db --resource-types StatefulSet --exclude-objects StatefulSet/db/legacy

  # Mark a recovered cluster domain active again (failback)
  kubectl dr activate clusterdomain us-east-1a --wait)";

const char* kDeactivateExamples = R"(  # Mark the failed cluster domain inactive
  kubectl dr deactivate clusterdomain us-east-1a

  # Stop every application in a namespace on the source, recording each replica count
  kubectl dr deactivate apps -n zookeeper

  # Undo an activation (annotated workloads back to 0; their counts stay recorded)
  kubectl dr deactivate migration -n zookeeper)";

}  // namespace

int activate_main(int argc, const char* const* argv, Io io) {
  auto options =
      verb_options("kubectl dr activate", "Activate a cluster domain, or the migrated applications");
  cli::add_all_namespaces_flag(options, true);
  cli::add_output_flags(options, false);
  cli::add_dry_run_flag(options);
  cli::add_selector_flag(options);
  add_narrowing_flags(options);
  add_activation_flags(options);
  add_domain_flags(options, true);
  cli::HelpSpec help;
  help.command = "kubectl dr activate";
  help.use = "kubectl dr activate (clusterdomain NAME|--all | migration) [flags]";
  help.short_description = "Activate a cluster domain, or start the applications Stork migrated here";
  help.long_description =
      "activate clusterdomain marks a Stork cluster domain active (creates a ClusterDomainUpdate).\n"
      "activate migration scales every migrated workload back to the replica count recorded in its\n"
      "stork.libopenstorage.org/migrationReplicas annotation (the stork.openstorage.org spelling is read\n"
      "too), resumes CronJobs Stork suspended, and marks the MigrationSchedules activated. Workloads\n"
      "already at their count are not touched; a failure on one never stops the others.";
  help.examples = kActivateExamples;
  auto line = parse_command_line(options, help, argc, argv, io);
  if (line.exit_now) return *line.exit_now;
  const auto& words = line.flags.positional;
  if (words.empty()) {
    return report_failure(io, Error::usage("say what to activate: clusterdomain NAME or migration"),
                          help.command);
  }
  const auto& what = words.front();
  if (what == "clusterdomain" || what == "clusterdomains" || what == "cd")
    return cluster_domain_command(true, line, io);
  if (what == "migration" || what == "migrations")
    return activation_command(stork::Mode::ActivateMigration, line, io);
  return report_failure(
      io, Error::usage("unknown resource \"" + what + "\" for activate: use clusterdomain or migration"),
      help.command);
}

int deactivate_main(int argc, const char* const* argv, Io io) {
  auto options = verb_options("kubectl dr deactivate", "Deactivate a cluster domain, or applications");
  cli::add_all_namespaces_flag(options, true);
  cli::add_output_flags(options, false);
  cli::add_dry_run_flag(options);
  cli::add_selector_flag(options);
  add_narrowing_flags(options);
  add_activation_flags(options);
  add_domain_flags(options, false);
  cli::HelpSpec help;
  help.command = "kubectl dr deactivate";
  help.use = "kubectl dr deactivate (clusterdomain NAME | migration | apps) [flags]";
  help.short_description =
      "Deactivate a cluster domain, or stop applications without losing their replica counts";
  help.long_description =
      "deactivate clusterdomain marks a Stork cluster domain inactive (creates a ClusterDomainUpdate).\n"
      "deactivate migration scales annotated (migrated) workloads to 0, keeping the count in the "
      "annotation,\n"
      "and suspends their CronJobs, as storkctl does.\n"
      "deactivate apps stops EVERY workload (annotated or not): replicas 0 and the current count written to\n"
      "stork.libopenstorage.org/migrationReplicas in the same request, so a count is never lost; CronJobs "
      "are\n"
      "suspended. Use it on the source cluster instead of `kubectl scale --replicas 0`; a later\n"
      "`kubectl dr activate migration` there restores everything (failback).";
  help.examples = kDeactivateExamples;
  auto line = parse_command_line(options, help, argc, argv, io);
  if (line.exit_now) return *line.exit_now;
  const auto& words = line.flags.positional;
  if (words.empty()) {
    return report_failure(io, Error::usage("say what to deactivate: clusterdomain NAME, migration or apps"),
                          help.command);
  }
  const auto& what = words.front();
  if (what == "clusterdomain" || what == "clusterdomains" || what == "cd")
    return cluster_domain_command(false, line, io);
  if (what == "migration" || what == "migrations")
    return activation_command(stork::Mode::DeactivateMigration, line, io);
  if (what == "apps" || what == "app") return activation_command(stork::Mode::DeactivateApps, line, io);
  return report_failure(
      io,
      Error::usage("unknown resource \"" + what + "\" for deactivate: use clusterdomain, migration or apps"),
      help.command);
}

int status_main(int argc, const char* const* argv, Io io) {
  auto options = verb_options("kubectl dr status", "Show cluster domains, schedules, migrations and apps");
  cli::add_all_namespaces_flag(options, true);
  cli::add_output_flags(options, true);
  cli::add_selector_flag(options);
  cli::add_watch_flag(options);
  cli::HelpSpec help;
  help.command = "kubectl dr status";
  help.use =
      "kubectl dr status [clusterdomains|clusterdomainupdates|migrationschedules|migrations|apps] [flags]";
  help.short_description = "Show the DR state of this cluster";
  help.long_description =
      "Without a resource, shows the cluster domains as `storkctl get clusterdomainsstatus` does.\n"
      "apps lists every workload carrying a recorded replica count, with desired, current and ready "
      "replicas.";
  help.examples = R"(  # Cluster domains (which are active, which inactive)
  kubectl dr status

  # Migration schedules of a namespace, with their last successful migration
  kubectl dr status migrationschedules -n zookeeper

  # Migrated applications everywhere, and whether they run
  kubectl dr status apps -A

  # Watch the domains change during a failover
  kubectl dr status -w)";
  auto line = parse_command_line(options, help, argc, argv, io);
  if (line.exit_now) return *line.exit_now;
  return status_command(line, io);
}

namespace {
int schedule_verb(bool suspend, int argc, const char* const* argv, Io io) {
  const std::string verb = suspend ? "suspend" : "resume";
  auto options = verb_options("kubectl dr " + verb, verb + " MigrationSchedules");
  cli::add_all_namespaces_flag(options, true);
  cli::add_output_flags(options, false);
  cli::add_dry_run_flag(options);
  cli::add_filename_flag(options);
  options.add_options("Selection")("all",
                                   "Every MigrationSchedule in the namespace (or in all namespaces with -A)")(
      "c,cluster-pair", "Every MigrationSchedule using this ClusterPair", cxxopts::value<std::string>());
  cli::HelpSpec help;
  help.command = "kubectl dr " + verb;
  help.use =
      "kubectl dr " + verb + " migrationschedule (NAME... | --all | -c PAIR | -f FILE) [-n NS | -A] [flags]";
  help.short_description = suspend ? "Suspend MigrationSchedules so no further migration runs"
                                   : "Resume suspended MigrationSchedules";
  help.long_description =
      "Sets spec.suspend to " + std::string(suspend ? "true" : "false") +
      " on each schedule with one merge patch (nothing else on the schedule changes).\n"
      "-f reads MigrationSchedule objects, or a List of them, as JSON or YAML ('-' = stdin).";
  help.examples = "  # The runbook's step\n  kubectl dr " + verb +
                  " migrationschedule migrationschedule -n zookeeper\n\n"
                  "  # Every schedule of one cluster pair, in every namespace\n  kubectl dr " +
                  verb +
                  " migrationschedule -c remotecluster -A\n\n"
                  "  # Those jq picks\n  kubectl get migrationschedules -A -o json | jq '{kind:\"List\", "
                  "items:[.items[] | "
                  "select(.spec.template.spec.clusterPair==\"remotecluster\")]}' | kubectl dr " +
                  verb + " migrationschedule -f -";
  auto line = parse_command_line(options, help, argc, argv, io);
  if (line.exit_now) return *line.exit_now;
  return schedule_suspend_command(suspend, line, io);
}
}  // namespace

int suspend_main(int argc, const char* const* argv, Io io) {
  return schedule_verb(true, argc, argv, io);
}
int resume_main(int argc, const char* const* argv, Io io) {
  return schedule_verb(false, argc, argv, io);
}

}  // namespace dr::commands
