// The verb table's data: kubectl's flags, the verbs' own flags, every verb and subcommand with its
// help. The texts of kubectl's flags are kubectl's own.
#include "dr/commands/verb_table.hpp"

#include <algorithm>

#include "dr/core/suggest.hpp"
#include "subcommands.hpp"

namespace dr::commands {

namespace {

using FT = FlagType;
using VS = ValueSource;

// --- kubectl's flags ------------------------------------------------------------------------------
const FlagDef kAs{
    "as", "", FT::Text,
    "Username to impersonate for the operation. User could be a regular user or a service account "
    "in a namespace."};
const FlagDef kAsGroup{
    "as-group", "", FT::Repeated,
    "Group to impersonate for the operation, this flag can be repeated to specify multiple "
    "groups."};
const FlagDef kAsUid{"as-uid", "", FT::Text, "UID to impersonate for the operation."};
const FlagDef kCertificateAuthority{"certificate-authority",
                                    "",
                                    FT::Text,
                                    "Path to a cert file for the certificate authority",
                                    "",
                                    "",
                                    VS::Files};
const FlagDef kClientCertificate{
    "client-certificate", "", FT::Text, "Path to a client certificate file for TLS", "", "", VS::Files};
const FlagDef kClientKey{"client-key", "", FT::Text, "Path to a client key file for TLS", "", "", VS::Files};
const FlagDef kCluster{"cluster", "", FT::Text, "The name of the kubeconfig cluster to use"};
const FlagDef kContext{"context", "", FT::Text,    "The name of the kubeconfig context to use",
                       "",        "", VS::Contexts};
const FlagDef kDisableCompression{"disable-compression", "", FT::Bool,
                                  "If true, opt-out of response compression for all requests to the server"};
const FlagDef kInsecureSkipTlsVerify{
    "insecure-skip-tls-verify", "", FT::Bool,
    "If true, the server's certificate will not be checked for validity. This "
    "will make your HTTPS connections insecure"};
const FlagDef kKubeconfig{"kubeconfig", "", FT::Text, "Path to the kubeconfig file to use for CLI requests.",
                          "",           "", VS::Files};
const FlagDef kNamespace{
    "namespace", "n", FT::Text,      "If present, the namespace scope for this CLI request",
    "",          "",  VS::Namespaces};
const FlagDef kPassword{"password", "", FT::Text, "Password for basic authentication to the API server"};
const FlagDef kRequestTimeout{
    "request-timeout", "", FT::Text,
    "The length of time to wait before giving up on a single server request. Non-zero "
    "values should contain a corresponding time unit (e.g. 1s, 2m, 3h). A value of zero "
    "means don't timeout requests.",
    "0"};
const FlagDef kServer{"server", "s", FT::Text, "The address and port of the Kubernetes API server"};
const FlagDef kTlsServerName{
    "tls-server-name", "", FT::Text,
    "Server name to use for server certificate validation. If it is not provided, the "
    "hostname used to contact the server is used"};
const FlagDef kToken{"token", "", FT::Text, "Bearer token for authentication to the API server"};
const FlagDef kUser{"user", "", FT::Text, "The name of the kubeconfig user to use"};
const FlagDef kUsername{"username", "", FT::Text, "Username for basic authentication to the API server"};
const FlagDef kVerbosity{"v", "", FT::Int, "number for the log level verbosity", "0"};
const FlagDef kHelp{"help", "h", FT::Bool, "help for this command"};

// Completion offers them in this order; --help sorts them by name, as kubectl does.
const std::vector<const FlagDef*> kGlobalFlags = {
    &kKubeconfig,
    &kContext,
    &kCluster,
    &kUser,
    &kNamespace,
    &kServer,
    &kToken,
    &kAs,
    &kAsGroup,
    &kAsUid,
    &kUsername,
    &kPassword,
    &kCertificateAuthority,
    &kClientCertificate,
    &kClientKey,
    &kDisableCompression,
    &kInsecureSkipTlsVerify,
    &kTlsServerName,
    &kRequestTimeout,
    &kVerbosity,
    &kHelp,
};

// --- the verbs' flags -----------------------------------------------------------------------------
const FlagDef kAllNamespaces{
    "all-namespaces", "A", FT::Bool,
    "If present, list the requested object(s) across all namespaces. Namespace in current "
    "context is ignored even if specified with --namespace."};
const FlagDef kStorkctlAllNamespaces{"", "a", FT::Bool, "The same as -A (storkctl's spelling)."};
const FlagDef kOutput{"output", "o", FT::Text,         "Output format. One of: (json, yaml, name).",
                      "",       "",  VS::OutputFormats};
// activate|deactivate migration|apps print an ActivationReport, which has no kind/name to print.
const FlagDef kOutputReport{
    "output", "o", FT::Text, "Output format. One of: (json, yaml).", "", "", VS::OutputFormatsReport};
const FlagDef kOutputWide{"output",
                          "o",
                          FT::Text,
                          "Output format. One of: (json, yaml, name, wide).",
                          "",
                          "",
                          VS::OutputFormatsWide};
const FlagDef kNoHeaders{
    "no-headers", "", FT::Bool,
    "When using the default or custom-column output format, don't print headers (default "
    "print headers)."};
const FlagDef kDryRun{
    "dry-run",
    "",
    FT::Text,
    "Must be \"none\", \"server\", or \"client\". If client strategy, only print the object that "
    "would be sent, without sending it. If server strategy, submit server-side request without "
    "persisting the resource.",
    "none",
    "unchanged",
    VS::DryRunStrategy};
const FlagDef kSelector{
    "selector", "l", FT::Text,
    "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l "
    "key1=value1,key2=value2). Matching objects must satisfy all of the specified label "
    "constraints."};
const FlagDef kWatch{"watch", "w", FT::Bool,
                     "After listing/getting the requested object, watch for changes."};
const FlagDef kFilename{
    "filename", "f", FT::List, "Filename, directory, or URL to files identifying the resource ('-' = stdin)",
    "",         "",  VS::Files};

const FlagDef kRecursive{"recursive", "R", FT::Bool,
                         "Process the directory used in -f, --filename recursively. Useful when you want to "
                         "manage related manifests organized within the same directory."};
const FlagDef kIncludeNamespaces{"include-namespaces", "", FT::List,
                                 "Only these namespaces (comma-separated or repeated)"};
const FlagDef kExcludeNamespaces{"exclude-namespaces", "", FT::List, "Skip these namespaces"};
const FlagDef kExcludeSelector{"exclude-selector", "", FT::Repeated,
                               "Skip objects matching this label selector (repeatable; any match excludes)"};
const FlagDef kResourceTypes{
    "resource-types", "", FT::List,
    "Only these kinds: KIND or GROUP/VERSION/KIND, e.g. StatefulSet,apps/v1/Deployment"};
const FlagDef kIncludeObjects{"include-objects", "", FT::List, "Only these objects: KIND/NAMESPACE/NAME"};
const FlagDef kExcludeObjects{"exclude-objects", "", FT::List, "Skip these objects: KIND/NAMESPACE/NAME"};
const FlagDef kMaxInflight{
    "max-inflight", "", FT::Int,
    "Concurrent API requests at most; the tool sends fewer (down to 8) while the server's "
    "answers slow down from queueing, and halves them after a 429 or 503",
    "32"};
const FlagDef kChunkSize{
    "chunk-size", "", FT::Int,
    "List workloads in pages of this many objects (0 = one unpaged list, as kubectl get)", "500"};
const FlagDef kWaitWorkloads{"wait", "", FT::Bool,
                             "Wait until the workloads report ready (activate) or 0 replicas (deactivate)"};
const FlagDef kWorkloadTimeout{
    "timeout", "", FT::Text,
    "How long the whole command may take, its writes and --wait included (0 = no limit); what was not "
    "done by then is reported, and a re-run finishes it",
    "5m"};
const FlagDef kSystemNamespaces{
    "system-namespaces", "", FT::List,
    "Namespaces that --all-namespaces never touches, besides kube-* (which it never touches either); "
    "name one with -n or --include-namespaces to work on it"};
const FlagDef kForceCounts{
    "force", "", FT::Bool,
    "activate: also scale a workload running above its recorded count down to it (by default it is "
    "left running and reported as skipped: running). deactivate apps: record the live count even when "
    "it is lower than the one already recorded (by default the recorded count is kept)"};

const FlagDef kUpdateName{"name", "", FT::Text,
                          "Name of the ClusterDomainUpdate to create (default: a random UUID, as storkctl)"};
// -a as storkctl's `activate clusterdomain -a`: this subcommand has no namespaces for -a to mean.
const FlagDef kAllDomains{"all", "a", FT::Bool, "Activate every inactive cluster domain"};
const FlagDef kWaitDomains{
    "wait", "", FT::Bool,
    "Wait until Stork has applied the ClusterDomainUpdate. An update Stork marks Failed exits 1 with its "
    "reason (storkctl exits 0); a rerun after a timeout waits for the pending update instead of creating "
    "another"};
const FlagDef kForceDomains{
    "force", "", FT::Bool,
    "Deactivate even the local cluster domain or the last active one (refused otherwise), and create "
    "the update even when the status already shows the wanted state (it may be stale)"};
// storkctl waits up to 10 minutes for a cluster domain update.
const FlagDef kDomainTimeout{"timeout", "", FT::Text, "How long --wait waits (0 = forever)", "10m"};

const FlagDef kAllSchedules{"all", "", FT::Bool,
                            "Every MigrationSchedule in the namespace (or in all namespaces with -A)"};
const FlagDef kClusterPair{"cluster-pair", "c", FT::Text, "Every MigrationSchedule using this ClusterPair"};
const FlagDef kDestinationContext{
    "destination-context", "", FT::Text,
    "Kubeconfig context of the destination cluster: resume refuses a schedule whose copy there is "
    "activated (its next migration would scale the applications there down) unless --force"};
const FlagDef kForceResume{"force", "", FT::Bool,
                           "Resume even when the destination copy of the schedule is activated"};
const FlagDef kClusterPairView{"cluster-pair", "c", FT::Text,
                               "Only the migrationschedules or migrations using this ClusterPair"};
const FlagDef kClusterPairCamel{"clusterPair", "", FT::Text,
                                "The same as --cluster-pair (storkctl's spelling)"};
const FlagDef kClusterPairLower{"clusterpair", "", FT::Text,
                                "The same as --cluster-pair (storkctl get's spelling)"};

const FlagDef kMigrationReference{"migration-reference", "m", FT::Text,
                                  "The MigrationSchedule (in -n) whose namespaces fail over or back"};
const FlagDef kActionIncludeNamespaces{"include-namespaces", "", FT::List,
                                       "Only these of the schedule's namespaces (comma-separated)"};
const FlagDef kActionExcludeNamespaces{"exclude-namespaces", "", FT::List,
                                       "All of the schedule's namespaces except these (comma-separated)"};
const FlagDef kSkipSourceOperations{
    "skip-source-operations", "", FT::Bool,
    "Do not touch the source cluster (it is down): no suspend, scale-down or last-mile migration there"};

const FlagDef kToContext{
    "to", "", FT::Text,    "The kubeconfig context of the cluster that runs the apps afterwards",
    "",   "", VS::Contexts};
const FlagDef kFromContext{
    "from", "", FT::Text, "The kubeconfig context of the cluster running the apps now", "", "", VS::Contexts};
const FlagDef kYes{"yes", "", FT::Bool, "Do not ask for confirmation (needed when there is no terminal)"};
const FlagDef kResume{"resume", "", FT::Bool,
                      "Finish the run recorded in the destination (after a crash, from any machine)"};
const FlagDef kNoRollback{"no-rollback", "", FT::Bool,
                          "When the destination cannot be brought up, leave everything as it is instead of "
                          "starting the source again"};
const FlagDef kForceFailover{"force", "", FT::Bool,
                             "Go on although the last migration failed or never ran (the data may be old)"};
const FlagDef kFailoverTimeout{"timeout", "", FT::Text,
                               "How long each wait (pods, migration, domain) may take", "30m"};

const std::vector<const FlagDef*> kActivationFlags = {
    &kAllNamespaces,     &kStorkctlAllNamespaces, &kSelector,         &kIncludeNamespaces,
    &kExcludeNamespaces, &kExcludeSelector,       &kResourceTypes,    &kIncludeObjects,
    &kExcludeObjects,    &kMaxInflight,           &kChunkSize,        &kWaitWorkloads,
    &kWorkloadTimeout,   &kForceCounts,           &kSystemNamespaces, &kOutputReport,
};

// --- help texts -----------------------------------------------------------------------------------
constexpr std::string_view kActivateExamples =
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

constexpr std::string_view kActivateDomainExamples =
    R"(  # Mark a recovered cluster domain active again (failback)
  kubectl dr activate clusterdomain us-east-1a --wait

  # Every inactive domain, with a chosen update name
  kubectl dr activate clusterdomain --all --name failback-1)";

constexpr std::string_view kDeactivateExamples = R"(  # Mark the failed cluster domain inactive
  kubectl dr deactivate clusterdomain us-east-1a

  # Stop every application in a namespace on the source, recording each replica count
  kubectl dr deactivate apps -n zookeeper

  # Undo an activation (annotated workloads back to 0; their counts stay recorded)
  kubectl dr deactivate migration -n zookeeper)";

constexpr std::string_view kDeactivateDomainExamples = R"(  # Mark the failed cluster domain inactive
  kubectl dr deactivate clusterdomain us-east-1a

  # The same, waiting for Stork to apply it
  kubectl dr deactivate clusterdomain us-east-1a --wait --timeout 2m)";

constexpr std::string_view kStatusExamples = R"(  # Cluster domains (which are active, which inactive)
  kubectl dr status

  # Migration schedules of a namespace, with their last successful migration
  kubectl dr status migrationschedules -n zookeeper

  # Migrated applications everywhere, and whether they run
  kubectl dr status apps -A

  # Watch the domains change during a failover
  kubectl dr status -w)";

constexpr std::string_view kSuspendExamples = R"(  # The runbook's step
  kubectl dr suspend migrationschedule migrationschedule -n zookeeper

  # Every schedule of one cluster pair, in every namespace
  kubectl dr suspend migrationschedule -c remotecluster -A

  # Those jq picks
  kubectl get migrationschedules -A -o json | jq '{kind:"List", items:[.items[] | select(.spec.template.spec.clusterPair=="remotecluster")]}' | kubectl dr suspend migrationschedule -f -)";

constexpr std::string_view kResumeExamples = R"(  # The runbook's step
  kubectl dr resume migrationschedule migrationschedule -n zookeeper

  # Every schedule of one cluster pair, in every namespace
  kubectl dr resume migrationschedule -c remotecluster -A

  # Those jq picks
  kubectl get migrationschedules -A -o json | jq '{kind:"List", items:[.items[] | select(.spec.template.spec.clusterPair=="remotecluster")]}' | kubectl dr resume migrationschedule -f -)";

constexpr std::string_view kPerformExamples =
    R"(  # On the destination: fail the schedule's namespaces over (Stork's controller does the work)
  kubectl dr perform failover -m migrationschedule -n zookeeper

  # The source cluster is down: only bring the apps up here
  kubectl dr perform failover -m migrationschedule -n zookeeper --skip-source-operations

  # Later, on the cluster running the apps, over the reverse schedule
  kubectl dr perform failback -m migrationschedule-reverse -n zookeeper

  # Follow it
  kubectl dr status failover -n zookeeper)";

const std::vector<std::string_view> kDomainWords = {"clusterdomains", "cd"};

// activate|deactivate clusterdomain: the same subcommand but for its direction.
SubcommandDef cluster_domain_subcommand(bool activate) {
  return {
      .name = "clusterdomain",
      .aliases = kDomainWords,
      .summary = activate ? "Mark a cluster domain active" : "Mark a cluster domain inactive",
      .flags = activate ? std::vector<const FlagDef*>{&kUpdateName, &kAllDomains, &kWaitDomains,
                                                      &kDomainTimeout, &kForceDomains, &kOutput}
                        : std::vector<const FlagDef*>{&kUpdateName, &kWaitDomains, &kDomainTimeout,
                                                      &kForceDomains, &kOutput},
      .arguments = ArgumentSource::ClusterDomain,
      .run = activate ? [](const Invocation& i, Io& io) { return cluster_domain_command(true, i, io); }
                      : [](const Invocation& i, Io& io) { return cluster_domain_command(false, i, io); },
      .use = activate ? "kubectl dr activate clusterdomain (NAME | --all) [--wait [--timeout 10m]] [flags]"
                      : "kubectl dr deactivate clusterdomain NAME [--wait [--timeout 10m]] [flags]",
      .examples = activate ? kActivateDomainExamples : kDeactivateDomainExamples,
  };
}

VerbDef deactivate_verb() {
  VerbDef verb;
  verb.name = "deactivate";
  verb.summary = "Deactivate a cluster domain, or stop applications without losing their replica counts";
  verb.use = "kubectl dr deactivate (clusterdomain NAME | migration | apps) [flags]";
  verb.long_description =
      "deactivate clusterdomain marks a Stork cluster domain inactive (creates a ClusterDomainUpdate).\n"
      "deactivate migration scales annotated (migrated) workloads to 0, keeping the count in the "
      "annotation,\n"
      "and suspends their CronJobs, as storkctl does.\n"
      "deactivate apps stops EVERY workload (annotated or not): replicas 0 and the current count written to\n"
      "stork.libopenstorage.org/migrationReplicas in the same request, so a count is never lost; CronJobs "
      "are\n"
      "suspended. Use it on the source cluster instead of `kubectl scale --replicas 0`; a later\n"
      "`kubectl dr activate migration` there restores everything (failback).";
  verb.examples = kDeactivateExamples;
  // -o is each subcommand's: clusterdomain prints objects (-o name too), migration a report.
  verb.shared_flags = {&kNoHeaders, &kDryRun};

  SubcommandDef migration{
      .name = "migration",
      .aliases = {"migrations"},
      .summary = "Stop the migrated applications (counts kept)",
      .flags = kActivationFlags,
      .run = [](const Invocation& i,
                Io& io) { return activation_command(stork::Mode::DeactivateMigration, i, io); },
      .use = "kubectl dr deactivate migration [-n NS | -A] [flags]",
  };
  SubcommandDef apps{
      .name = "apps",
      .aliases = {"app"},
      .summary = "Stop every application, recording its replica count",
      .flags = kActivationFlags,
      .run = [](const Invocation& i,
                Io& io) { return activation_command(stork::Mode::DeactivateApps, i, io); },
      .use = "kubectl dr deactivate apps [-n NS | -A] [flags]",
  };
  verb.subcommands = {cluster_domain_subcommand(false), migration, apps};
  return verb;
}

VerbDef status_verb() {
  VerbDef verb;
  verb.name = "status";
  verb.summary = "Show the DR state of this cluster";
  verb.use =
      "kubectl dr status [clusterdomains|clusterdomainupdates|migrationschedules|migrations [NAME...] | "
      "apps] "
      "[flags]";
  verb.long_description =
      "Without a resource, shows the cluster domains as `storkctl get clusterdomainsstatus` does.\n"
      "Names after the resource show only those objects, as `kubectl get TYPE NAME...`; a missing one is\n"
      "reported as NotFound (exit 1) and the others are still shown.\n"
      "apps lists every workload carrying a recorded replica count, with desired, current and ready "
      "replicas.";
  verb.examples = kStatusExamples;
  verb.shared_flags = {
      &kAllNamespaces, &kStorkctlAllNamespaces, &kOutputWide,       &kNoHeaders,       &kSelector,
      &kWatch,         &kClusterPairView,       &kClusterPairCamel, &kClusterPairLower};
  verb.subcommands = {
      {.name = "clusterdomains",
       .aliases = {"clusterdomain", "clusterdomainsstatus", "clusterdomainsstatuses", "cds"},
       .summary = "Which cluster domains are active (the default)",
       .run = [](const Invocation& i, Io& io) { return status_command(StatusView::ClusterDomains, i, io); }},
      {.name = "clusterdomainupdates",
       .aliases = {"clusterdomainupdate", "cdu"},
       .summary = "Requested domain changes",
       .run = [](const Invocation& i,
                 Io& io) { return status_command(StatusView::ClusterDomainUpdates, i, io); }},
      {.name = "migrationschedules",
       .aliases = {"migrationschedule"},
       .summary = "Schedules and their last migration",
       .run = [](const Invocation& i,
                 Io& io) { return status_command(StatusView::MigrationSchedules, i, io); }},
      {.name = "migrations",
       .aliases = {"migration"},
       .summary = "Migrations",
       .run = [](const Invocation& i, Io& io) { return status_command(StatusView::Migrations, i, io); }},
      {.name = "clusterpairs",
       .aliases = {"clusterpair", "cp"},
       .summary = "ClusterPairs and their storage and scheduler status",
       .run = [](const Invocation& i, Io& io) { return status_command(StatusView::ClusterPairs, i, io); }},
      {.name = "apps",
       .aliases = {"app"},
       .summary = "Workloads with a recorded replica count",
       .run = [](const Invocation& i, Io& io) { return status_command(StatusView::Apps, i, io); }},
      {.name = "failover",
       .aliases = {"failovers"},
       .summary = "Failovers: Stork's Actions (perform failover) and kubectl dr failover runs",
       .run = [](const Invocation& i, Io& io) { return status_command(StatusView::Failovers, i, io); }},
      {.name = "failback",
       .aliases = {"failbacks"},
       .summary = "Failbacks: Stork's Actions (perform failback) and kubectl dr failback runs",
       .run = [](const Invocation& i, Io& io) { return status_command(StatusView::Failbacks, i, io); }},
  };
  verb.first_subcommand_is_default = true;
  return verb;
}

VerbDef schedule_verb(bool suspend) {
  VerbDef verb;
  verb.name = suspend ? "suspend" : "resume";
  verb.summary = suspend ? "Suspend MigrationSchedules so no further migration runs"
                         : "Resume suspended MigrationSchedules";
  verb.use =
      suspend
          ? "kubectl dr suspend migrationschedule (NAME... | --all | -c PAIR | -f FILE) [-n NS | -A] [flags]"
          : "kubectl dr resume migrationschedule (NAME... | --all | -c PAIR | -f FILE) [-n NS | -A] [flags]";
  verb.long_description =
      suspend
          ? "Sets spec.suspend to true on each schedule with one merge patch (nothing else on the schedule "
            "changes).\n-f reads MigrationSchedule objects, or a List of them, as JSON or YAML ('-' = stdin)."
          : "Sets spec.suspend to false on each schedule with one merge patch (nothing else on the schedule "
            "changes).\n-f reads MigrationSchedule objects, or a List of them, as JSON or YAML ('-' = "
            "stdin).";
  verb.examples = suspend ? kSuspendExamples : kResumeExamples;
  verb.shared_flags = {
      &kAllNamespaces, &kStorkctlAllNamespaces, &kOutput,     &kNoHeaders, &kDryRun, &kFilename,
      &kRecursive,     &kAllSchedules,          &kClusterPair};
  SubcommandDef schedules{
      .name = "migrationschedule",
      .aliases = {"migrationschedules"},
      .summary = suspend ? "Suspend MigrationSchedules" : "Resume MigrationSchedules",
      .flags = suspend ? std::vector<const FlagDef*>{}
                       : std::vector<const FlagDef*>{&kDestinationContext, &kForceResume},
      .arguments = ArgumentSource::MigrationSchedules,
      .run = suspend ? [](const Invocation& i, Io& io) { return schedule_suspend_command(true, i, io); }
                     : [](const Invocation& i, Io& io) { return schedule_suspend_command(false, i, io); },
  };
  verb.subcommands = {schedules};
  return verb;
}

VerbDef activate_verb() {
  VerbDef verb;
  verb.name = "activate";
  verb.summary = "Activate a cluster domain, or start the applications Stork migrated here";
  verb.use = "kubectl dr activate (clusterdomain NAME|--all | migration) [flags]";
  verb.long_description =
      "activate clusterdomain marks a Stork cluster domain active (creates a ClusterDomainUpdate).\n"
      "activate migration scales every migrated workload back to the replica count recorded in its\n"
      "stork.libopenstorage.org/migrationReplicas annotation (the stork.openstorage.org spelling is read\n"
      "too), resumes CronJobs Stork suspended, and marks the MigrationSchedules activated. Workloads\n"
      "already at their count are not touched; a failure on one never stops the others.";
  verb.examples = kActivateExamples;
  // -o is each subcommand's: clusterdomain prints objects (-o name too), migration a report.
  verb.shared_flags = {&kNoHeaders, &kDryRun};

  SubcommandDef migration{
      .name = "migration",
      .aliases = {"migrations"},
      .summary = "Start the applications Stork migrated here",
      .flags = kActivationFlags,
      .run = [](const Invocation& i,
                Io& io) { return activation_command(stork::Mode::ActivateMigration, i, io); },
      .use = "kubectl dr activate migration [-n NS | -A] [flags]",
  };
  verb.subcommands = {cluster_domain_subcommand(true), migration};
  return verb;
}

VerbDef perform_verb() {
  VerbDef verb;
  verb.name = "perform";
  verb.summary = "Start a failover or failback that Stork's controller runs (Stork 24.2 or later)";
  verb.use = "kubectl dr perform (failover | failback) -m SCHEDULE [-n NS] [flags]";
  verb.long_description =
      "Validates the request as storkctl does and creates a Stork Action; the Stork controller then\n"
      "suspends the schedule, scales the apps down on one cluster (counts kept), runs a last-mile\n"
      "migration and scales the apps up on the other, rolling the scale-down back if that migration fails.\n"
      "failover runs on the cluster that takes over (where the schedule is Stork's static copy);\n"
      "failback runs on the cluster now running the apps, over the schedule that migrates back.";
  verb.examples = kPerformExamples;
  verb.shared_flags = {&kOutput, &kDryRun, &kMigrationReference, &kActionIncludeNamespaces,
                       &kActionExcludeNamespaces};
  SubcommandDef failover{
      .name = "failover",
      .summary = "Fail the schedule's namespaces over to this cluster",
      .flags = {&kSkipSourceOperations},
      .run = [](const Invocation& i, Io& io) { return perform_command(stork::ActionType::Failover, i, io); },
      .use =
          "kubectl dr perform failover -m SCHEDULE [-n NS] [--include-namespaces A,B | "
          "--exclude-namespaces A,B] [--skip-source-operations] [flags]",
  };
  SubcommandDef failback{
      .name = "failback",
      .summary = "Fail the schedule's namespaces back to the cluster they came from",
      .run = [](const Invocation& i, Io& io) { return perform_command(stork::ActionType::Failback, i, io); },
      .use =
          "kubectl dr perform failback -m SCHEDULE [-n NS] [--include-namespaces A,B | "
          "--exclude-namespaces A,B] [flags]",
  };
  verb.subcommands = {failover, failback};
  return verb;
}

constexpr std::string_view kFailoverExamples = R"(  # See the checklist and the plan; change nothing
  kubectl dr failover -m migrationschedule -n zookeeper --from us-east-1a --to us-east-1b --dry-run=client

  # Fail over (asks once on a terminal; --yes in scripts)
  kubectl dr failover -m migrationschedule -n zookeeper --from us-east-1a --to us-east-1b

  # The source cluster is down: start the apps on the destination from the last migrated data
  kubectl dr failover -m migrationschedule -n zookeeper --to us-east-1b --skip-source-operations --yes

  # The laptop died half-way: finish the recorded run, from any machine
  kubectl dr failover -m migrationschedule -n zookeeper --from us-east-1a --to us-east-1b --resume --yes)";

constexpr std::string_view kFailbackExamples = R"(  # Bring the apps home after a failover
  kubectl dr failback -m migrationschedule -n zookeeper --from us-east-1b --to us-east-1a

  # As a report for jq
  kubectl dr failback -m migrationschedule -n zookeeper --from us-east-1b --to us-east-1a --yes -o json)";

VerbDef failover_verb(bool failover) {
  VerbDef verb;
  verb.name = failover ? "failover" : "failback";
  verb.summary =
      failover ? "Fail a MigrationSchedule's apps over to the destination, in one guarded, resumable run"
               : "Fail a MigrationSchedule's apps back to where they came from, in one guarded run";
  verb.use = failover ? "kubectl dr failover -m SCHEDULE [-n NS] --to DEST [--from SOURCE | "
                        "--skip-source-operations] [flags]"
                      : "kubectl dr failback -m SCHEDULE [-n NS] --from DR --to ORIGINAL [flags]";
  verb.long_description =
      failover
          ? "Runs the failover runbook from this client, against both clusters, with no Stork Action "
            "controller:\n"
            "a read-only preflight checklist, the plan, one confirmation, then the stages: suspend the "
            "schedule\n"
            "on the source, scale the source's apps to 0 (counts recorded), wait for them to stop, run a "
            "last-mile\n"
            "migration, deactivate the source's cluster domain (where domains are configured), scale the\n"
            "destination up to the recorded counts and wait until ready. If the destination cannot be "
            "brought up,\n"
            "the source is started again (--no-rollback keeps things as they are).\n"
            "Progress is journaled in ConfigMap kubectl-dr-run-SCHEDULE in the destination: a run killed at "
            "any\n"
            "point is finished with --resume, from any machine; a second run of the schedule is refused "
            "meanwhile.\n"
            "Exit status: 0 success, 1 failure (rolled back or not), 3 partial success (some apps not up)."
          : "Mirrors failover: scale the DR cluster's apps to 0 (counts recorded), activate the original\n"
            "cluster's domain (where configured), run a last-mile migration back, scale the original cluster "
            "up\n"
            "and resume its schedule. --from is the cluster running the apps now; --to the one running them\n"
            "afterwards. Journal, --resume, rollback and exit status as for failover.";
  verb.examples = failover ? kFailoverExamples : kFailbackExamples;
  verb.shared_flags = {&kOutputReport,
                       &kDryRun,
                       &kMigrationReference,
                       &kActionIncludeNamespaces,
                       &kActionExcludeNamespaces,
                       &kToContext,
                       &kFromContext,
                       &kYes,
                       &kResume,
                       &kNoRollback,
                       &kForceFailover,
                       &kFailoverTimeout};
  SubcommandDef schedule{
      .name = "migrationschedule",
      .aliases = {"migrationschedules"},
      .summary = failover ? "Fail over the namespaces of the MigrationSchedule named by -m"
                          : "Fail back the namespaces of the MigrationSchedule named by -m",
      .run = failover ? [](const Invocation& i,
                           Io& io) { return failover_command(stork::Direction::Failover, i, io); }
                      : [](const Invocation& i,
                           Io& io) { return failover_command(stork::Direction::Failback, i, io); },
  };
  if (failover) schedule.flags = {&kSkipSourceOperations};
  verb.subcommands = {schedule};
  verb.first_subcommand_is_default = true;
  return verb;
}

}  // namespace

const std::vector<const FlagDef*>& global_flags() {
  return kGlobalFlags;
}

const std::vector<VerbDef>& verb_table() {
  // Runbook order of first use.
  static const std::vector<VerbDef> verbs = {deactivate_verb(),   status_verb(),        schedule_verb(true),
                                             activate_verb(),     schedule_verb(false), perform_verb(),
                                             failover_verb(true), failover_verb(false)};
  return verbs;
}

const VerbDef* find_verb(std::string_view name) {
  for (const auto& verb : verb_table()) {
    if (verb.name == name) return &verb;
  }
  return nullptr;
}

const SubcommandDef* VerbDef::default_subcommand() const {
  return first_subcommand_is_default && !subcommands.empty() ? &subcommands.front() : nullptr;
}

const SubcommandDef* VerbDef::find_subcommand(std::string_view word) const {
  for (const auto& sub : subcommands) {
    if (sub.name == word || std::find(sub.aliases.begin(), sub.aliases.end(), word) != sub.aliases.end()) {
      return &sub;
    }
  }
  return nullptr;
}

namespace {
// "clusterdomain, migration or apps".
std::string subcommand_names(const VerbDef& verb) {
  std::string text;
  for (std::size_t i = 0; i < verb.subcommands.size(); ++i) {
    if (i > 0) text += i + 1 == verb.subcommands.size() ? " or " : ", ";
    text += verb.subcommands[i].name;
  }
  return text;
}
}  // namespace

Error VerbDef::missing_subcommand() const {
  return Error::usage("say what to " + std::string(name) + ": " + subcommand_names(*this));
}

Error VerbDef::unknown_subcommand(std::string_view word) const {
  // Compared with the names only, as cobra does: short aliases (cds) are near too many words.
  std::vector<suggest::Candidate> candidates;
  for (const auto& sub : subcommands) candidates.push_back({sub.name, {sub.name}, {}});
  return Error::usage("unknown resource \"" + std::string(word) + "\" for " + std::string(name) + ": use " +
                      subcommand_names(*this) +
                      suggest::did_you_mean(suggest::suggestions_for(word, candidates)));
}

namespace {
// Appends the flags whose name and shorthand are both free: subcommands share names (--wait), and
// -a is --all for activate clusterdomain but -A elsewhere; the first declaration wins.
void add_flags(std::vector<const FlagDef*>& flags, const std::vector<const FlagDef*>& more) {
  for (const FlagDef* flag : more) {
    const bool same_name = std::any_of(flags.begin(), flags.end(), [&](const FlagDef* f) {
      return (!flag->name.empty() && f->name == flag->name) ||
             (!flag->shorthand.empty() && f->shorthand == flag->shorthand);
    });
    if (!same_name) flags.push_back(flag);
  }
}
}  // namespace

std::vector<const FlagDef*> flags_of(const VerbDef* verb, const SubcommandDef* subcommand) {
  if (verb == nullptr) return {};
  std::vector<const FlagDef*> flags = global_flags();
  add_flags(flags, verb->shared_flags);
  if (subcommand == nullptr) subcommand = verb->default_subcommand();
  if (subcommand != nullptr) add_flags(flags, subcommand->flags);
  return flags;
}

std::vector<const FlagDef*> all_flags_of(const VerbDef& verb) {
  std::vector<const FlagDef*> flags = flags_of(&verb, nullptr);
  for (const auto& sub : verb.subcommands) add_flags(flags, sub.flags);
  return flags;
}

const FlagDef* find_flag(const std::vector<const FlagDef*>& flags, std::string_view word) {
  if (word.size() < 2 || word[0] != '-') return nullptr;
  const auto eq = word.find('=');
  if (eq != std::string_view::npos) word = word.substr(0, eq);
  const bool long_form = word.substr(0, 2) == "--";
  std::string_view name = word.substr(long_form ? 2 : 1);
  if (name.empty()) return nullptr;
  // A shorthand with its value attached: -nzookeeper.
  if (!long_form && name.size() > 1) name = name.substr(0, 1);
  for (const FlagDef* flag : flags) {
    // kubectl accepts --v as well as -v: single-letter long names go both ways.
    if (long_form ? (flag->name == name)
                  : (flag->shorthand == name || (flag->name.size() == 1 && flag->name == name))) {
      return flag;
    }
  }
  return nullptr;
}

bool flag_word_has_value(std::string_view word) {
  return word.find('=') != std::string_view::npos || (word.size() > 2 && word[0] == '-' && word[1] != '-');
}

bool takes_next_word(const FlagDef& flag, std::string_view word) {
  return flag.takes_value() && flag.implicit_value.empty() && !flag_word_has_value(word);
}

SubcommandWord find_subcommand_word(const VerbDef& verb, int argc, const char* const* argv) {
  const std::vector<const FlagDef*> flags = all_flags_of(verb);
  for (int i = 1; i < argc; ++i) {
    if (argv[i] == nullptr) continue;
    const std::string_view word = argv[i];
    if (word == "--") {
      if (i + 1 < argc && argv[i + 1] != nullptr) return {argv[i + 1], verb.find_subcommand(argv[i + 1])};
      return {};
    }
    if (word.size() > 1 && word[0] == '-') {
      const FlagDef* flag = find_flag(flags, word);
      if (flag != nullptr && takes_next_word(*flag, word)) ++i;
      continue;
    }
    return {word, verb.find_subcommand(word)};
  }
  return {};
}

}  // namespace dr::commands
