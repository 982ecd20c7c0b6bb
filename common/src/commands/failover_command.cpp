// kubectl dr failover|failback -m SCHEDULE -n NS --to CONTEXT [--from CONTEXT]: the whole runbook
// as one run driven from this client. Read-only preflight (a checklist), the plan, one confirmation,
// then the stages (failover_run.cpp), journaled in the cluster the apps move to so that a run killed
// anywhere is finished with --resume, from this machine or another.
#include <random>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "dr/cli/printer.hpp"
#include "dr/core/strings.hpp"
#include "dr/core/time.hpp"
#include "dr/stork/annotations.hpp"
#include "dr/stork/migration_schedules.hpp"
#include "dr/stork/object.hpp"
#include "failover_run.hpp"
#include "subcommands.hpp"

namespace dr::commands {

namespace {

using stork::Direction;

const kube::ResourceType kSelfSubjectAccessReviews{"authorization.k8s.io", "v1", "selfsubjectaccessreviews",
                                                   "SelfSubjectAccessReview", false};

struct Check {
  std::string result;  // ok | warn | fail | skip
  std::string name;
  std::string detail;
};

struct Preflight {
  std::vector<Check> checks;
  bool domains = false;
  bool failed() const {
    return std::any_of(checks.begin(), checks.end(), [](const Check& c) { return c.result == "fail"; });
  }
};

std::string new_run_id() {
  std::random_device random;
  std::uniform_int_distribution<int> digit(0, 35);
  std::string id = format_rfc3339(std::chrono::system_clock::now()).substr(0, 19);
  id.erase(std::remove_if(id.begin(), id.end(), [](char c) { return c == '-' || c == ':'; }), id.end());
  for (char& c : id) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  id += '-';
  for (int i = 0; i < 5; ++i) {
    const int d = digit(random);
    id += static_cast<char>(d < 10 ? '0' + d : 'a' + d - 10);
  }
  return id;
}

Result<FailoverArgs> read_args(Direction direction, const Invocation& invocation) {
  FailoverArgs args;
  args.direction = direction;
  const std::string word(stork::direction_word(direction));
  if (!invocation.arguments.empty()) {
    return Error::usage(word + " takes no arguments, got \"" + invocation.arguments.front() +
                        "\": name the MigrationSchedule with -m");
  }
  args.schedule = invocation.text("migration-reference");
  if (args.schedule.empty())
    return Error::usage("name the MigrationSchedule to " + word + " with -m SCHEDULE");
  args.to_context = invocation.text("to");
  args.from_context = invocation.text("from");
  args.skip_source = direction == Direction::Failover && invocation.flag("skip-source-operations");
  if (args.to_context.empty()) {
    return Error::usage("name the cluster that runs the apps afterwards with --to CONTEXT");
  }
  if (args.from_context.empty() && !args.skip_source) {
    return Error::usage(direction == Direction::Failover
                            ? "name the source cluster with --from CONTEXT, or pass --skip-source-operations "
                              "when it is down"
                            : "name the cluster running the apps now with --from CONTEXT");
  }
  if (args.skip_source && !args.from_context.empty()) {
    return Error::usage("--skip-source-operations leaves the source alone: drop --from " + args.from_context);
  }
  if (args.from_context == args.to_context) return Error::usage("--from and --to name the same context");
  args.resume = invocation.flag("resume");
  args.rollback = !invocation.flag("no-rollback");
  args.force = invocation.flag("force");
  DR_TRY_ASSIGN(args.timeout, invocation.duration("timeout"));
  if (invocation.common.output == cli::OutputFormat::Name ||
      invocation.common.output == cli::OutputFormat::Wide) {
    return Error::usage("-o name|wide are not supported here; use -o json or -o yaml");
  }
  return args;
}

Result<RunCluster> connect_to(Io& io, const cli::CommonFlags& flags, const std::string& context) {
  kube::ConfigOverrides overrides = flags.overrides;
  overrides.context = context;
  DR_TRY_ASSIGN(auto client, open_client(io, overrides));
  return RunCluster{context, std::move(client)};
}

// Asks the server whether this user may `verb` the resource; nullopt when it cannot say
// (SelfSubjectAccessReview not served, as on the emulator).
std::optional<bool> may(kube::ApiClient& client, std::string_view verb, std::string_view group,
                        std::string_view resource, std::string_view ns) {
  std::string body =
      R"({"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview","spec":{"resourceAttributes":{"verb":)";
  stork::append_json_string(body, verb);
  body += R"(,"group":)";
  stork::append_json_string(body, group);
  body += R"(,"resource":)";
  stork::append_json_string(body, resource);
  body += R"(,"namespace":)";
  stork::append_json_string(body, ns);
  body += "}}}";
  rapidjson::Document review;
  review.Parse(body.c_str());
  auto answer = client.create(kSelfSubjectAccessReviews, "", review);
  if (!answer) return std::nullopt;
  const auto allowed = stork::bool_at(*answer, "status.allowed");
  return allowed.value_or(false);
}

// Every write the run will make, asked of each cluster before anything changes.
Check rbac_check(const FailoverArgs& args, RunCluster& from, RunCluster& to, bool domains) {
  struct Need {
    RunCluster* cluster;
    const char* verb;
    const char* group;
    const char* resource;
    std::string ns;
  };
  std::vector<Need> needs;
  auto workloads = [&](RunCluster* cluster) {
    for (const auto& ns : args.namespaces) {
      for (const char* resource : {"deployments", "statefulsets"})
        needs.push_back({cluster, "patch", "apps", resource, ns});
      needs.push_back({cluster, "patch", "batch", "cronjobs", ns});
    }
  };
  if (from.client) {
    workloads(&from);
    needs.push_back({&from, "patch", "stork.libopenstorage.org", "migrationschedules", args.namespace_name});
    needs.push_back({&from, "create", "stork.libopenstorage.org", "migrations", args.namespace_name});
  }
  workloads(&to);
  needs.push_back({&to, "patch", "stork.libopenstorage.org", "migrationschedules", args.namespace_name});
  needs.push_back({&to, "create", "", "configmaps", args.namespace_name});
  needs.push_back({&to, "update", "", "configmaps", args.namespace_name});
  if (domains) needs.push_back({&to, "create", "stork.libopenstorage.org", "clusterdomainupdates", ""});
  std::vector<std::string> denied;
  std::size_t unknown = 0;
  for (const auto& need : needs) {
    const auto allowed = may(*need.cluster->client, need.verb, need.group, need.resource, need.ns);
    if (!allowed) {
      ++unknown;
    } else if (!*allowed) {
      denied.push_back(std::string(need.verb) + " " + need.resource +
                       (need.ns.empty() ? "" : " in " + need.ns) + " on " + need.cluster->context);
    }
  }
  if (!denied.empty()) return {"fail", "permissions", "not allowed: " + strings::join(denied, "; ")};
  if (unknown == needs.size()) {
    return {"skip", "permissions", "not checked: the servers do not answer SelfSubjectAccessReview"};
  }
  return {"ok", "permissions",
          "every write of the run is allowed (" + std::to_string(needs.size() - unknown) + " checks)"};
}

// When the data on the destination was migrated: the newest migrationTime of the workloads of the
// first namespaces (a bounded look: the age is the same for every namespace a schedule migrates).
std::optional<TimePoint> newest_migrated_data(kube::ApiClient& client,
                                              const std::vector<std::string>& namespaces) {
  constexpr std::size_t kLookedAt = 10;
  std::optional<TimePoint> newest;
  for (std::size_t i = 0; i < namespaces.size() && i < kLookedAt; ++i) {
    for (const auto* type : {&kube::types::statefulsets, &kube::types::deployments}) {
      (void)client.list(*type, namespaces[i], {},
                        [&](rapidjson::Value& items, std::string_view) -> Result<void> {
                          for (const auto& item : items.GetArray()) {
                            const auto text = stork::annotation(item, stork::annotations::kMigrationTime);
                            const auto time = text ? stork::parse_migration_time(*text) : std::nullopt;
                            if (time && (!newest || *time > *newest)) newest = time;
                          }
                          return {};
                        });
    }
  }
  return newest;
}

Preflight preflight(FailoverArgs& args, RunCluster& from, RunCluster& to) {
  Preflight result;
  const bool failover = args.direction == Direction::Failover;
  auto& checks = result.checks;
  // TO: failover needs Stork's static copy there; failback the schedule itself.
  auto here = to.client->get(kube::types::migrationschedules, args.namespace_name, args.schedule);
  if (!here) {
    checks.push_back({"fail", to.context, here.error().kubectl_line()});
    return result;
  }
  const bool static_copy = stork::is_static_copy(*here);
  if (failover != static_copy) {
    checks.push_back(
        {"fail", to.context,
         "MigrationSchedule " + args.namespace_name + "/" + args.schedule +
             (failover ? " is not Stork's static copy: is " + to.context + " the destination?"
                       : " is Stork's static copy: --to must name the cluster the schedule runs on")});
    return result;
  }
  checks.push_back({"ok", to.context,
                    "reachable; holds " + std::string(failover ? "the static copy of " : "") +
                        "MigrationSchedule " + args.namespace_name + "/" + args.schedule});
  if (args.namespaces.empty()) {
    checks.push_back({"fail", "namespaces", "the schedule migrates no namespace that was selected"});
    return result;
  }
  checks.push_back({"ok", "namespaces", strings::join(args.namespaces, ", ")});

  if (from.client) {
    auto there = from.client->get(kube::types::migrationschedules, args.namespace_name, args.schedule);
    if (!there) {
      checks.push_back({"fail", from.context,
                        there.error().kubectl_line() +
                            (failover ? " (if the source is down, use --skip-source-operations)" : "")});
      return result;
    }
    checks.push_back(
        {"ok", from.context,
         "reachable; schedule suspend=" + std::string(stork::is_suspended(*there) ? "true" : "false") +
             ", autoSuspend=" +
             std::string(stork::bool_at(*there, "spec.autoSuspend").value_or(false) ? "true" : "false")});
    if (failover) {
      std::chrono::minutes interval{0};
      const auto* policy_name = stork::at_path(*there, "spec.schedulePolicyName");
      if (policy_name != nullptr && policy_name->IsString()) {
        if (auto policy = from.client->get(kube::types::schedulepolicies, "", policy_name->GetString())) {
          interval = stork::policy_interval(*policy);
        }
      }
      const auto last =
          stork::check_last_migration(*there, interval, std::chrono::system_clock::now(), args.force);
      const char* verdicts[] = {"ok", "warn", "fail"};
      checks.push_back({verdicts[static_cast<int>(last.verdict)], "last migration", last.message});
    }
  } else {
    const auto newest = newest_migrated_data(*to.client, args.namespaces);
    checks.push_back({"warn", "source",
                      "not contacted (--skip-source-operations): the apps start from " +
                          (newest ? "data migrated " +
                                        stork::describe_age(std::chrono::duration_cast<std::chrono::seconds>(
                                            std::chrono::system_clock::now() - *newest))
                                  : std::string("the last migrated data (its age is unknown here)")) +
                          "; writes made since on the source are lost"});
  }

  std::size_t statuses = 0;
  auto listed = to.client->list(kube::types::clusterdomainsstatuses, "", {},
                                [&](rapidjson::Value& items, std::string_view) -> Result<void> {
                                  statuses += items.Size();
                                  return {};
                                });
  result.domains = listed && statuses > 0;
  checks.push_back(
      {"ok", "cluster domains",
       result.domains ? "configured: the run updates them" : "not configured: no domain to update"});
  checks.push_back(rbac_check(args, from, to, result.domains));
  return result;
}

void print_preflight(std::ostream& out, const Preflight& preflight) {
  out << "Preflight:\n";
  for (const auto& check : preflight.checks) {
    out << "  [" << check.result << "] " << check.name << ": " << check.detail << "\n";
  }
}

// What the run will change, from client-side dry runs of the engine (read-only).
std::vector<WorkloadResult> planned_writes(RunCluster& cluster, stork::Mode mode,
                                           const std::vector<std::string>& namespaces) {
  stork::SelectionFlags flags;
  flags.include_namespaces = namespaces;
  auto selection = stork::Selection::from_flags(flags);
  if (!selection) return {};
  ActivationOptions options;
  options.mode = mode;
  options.selection = std::move(selection).value();
  options.dry_run = DryRun::Client;
  auto report = run_activation(*cluster.client, options);
  std::vector<WorkloadResult> planned;
  for (auto& w : report.workloads) {
    if (w.outcome == Outcome::Planned) planned.push_back(std::move(w));
  }
  return planned;
}

void print_plan(std::ostream& out, const FailoverArgs& args, const std::vector<stork::Stage>& stages,
                const std::vector<WorkloadResult>& down, const std::vector<WorkloadResult>& up) {
  out << "Plan (" << stork::direction_word(args.direction) << " of MigrationSchedule " << args.namespace_name
      << "/" << args.schedule << "):\n";
  for (std::size_t i = 0; i < stages.size(); ++i) {
    out << "  " << i + 1 << ". "
        << stork::stage_description(stages[i], args.direction, args.from_context, args.to_context) << "\n";
    const auto* writes = stages[i] == stork::Stage::ScaleDown ? &down
                         : stages[i] == stork::Stage::ScaleUp ? &up
                                                              : nullptr;
    if (writes == nullptr) continue;
    for (const auto& w : *writes) {
      out << "       " << w.label << " " << w.namespace_name << "/" << w.name << ": " << w.field << " "
          << w.from << " -> " << w.to << "\n";
    }
  }
}

std::string report_json(const FailoverArgs& args, const Preflight& preflight, const RunReport* run,
                        const std::string& outcome) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  auto text = [&](std::string_view key, std::string_view value) {
    w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
    w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  };
  auto stages = [&](const char* key, const std::vector<StageRecord>& records) {
    w.Key(key);
    w.StartArray();
    for (const auto& r : records) {
      w.StartObject();
      text("stage", stork::stage_id(r.stage));
      text("description", r.description);
      text("outcome", to_string(r.outcome));
      w.Key("elapsedSeconds");
      w.Double(static_cast<double>(r.elapsed.count()) / 1000.0);
      if (!r.detail.empty()) text("detail", r.detail);
      w.Key("workloads");
      w.StartArray();
      for (const auto& wl : r.workloads) {
        w.StartObject();
        text("kind", wl.kind);
        text("namespace", wl.namespace_name);
        text("name", wl.name);
        text("field", wl.field);
        text("from", wl.from);
        text("to", wl.to);
        text("outcome", to_string(wl.outcome));
        if (!wl.error.empty()) text("error", wl.error);
        w.EndObject();
      }
      w.EndArray();
      w.EndObject();
    }
    w.EndArray();
  };
  w.StartObject();
  text("apiVersion", "dr.kubectl-dr.io/v1alpha1");
  text("kind", "FailoverReport");
  text("operation", stork::direction_word(args.direction));
  text("migrationSchedule", args.namespace_name + "/" + args.schedule);
  text("from", args.from_context);
  text("to", args.to_context);
  text("outcome", outcome);
  if (run != nullptr) text("runId", run->run_id);
  w.Key("namespaces");
  w.StartArray();
  for (const auto& ns : args.namespaces) w.String(ns.c_str());
  w.EndArray();
  w.Key("preflight");
  w.StartArray();
  for (const auto& c : preflight.checks) {
    w.StartObject();
    text("check", c.name);
    text("result", c.result);
    text("detail", c.detail);
    w.EndObject();
  }
  w.EndArray();
  if (run != nullptr) {
    stages("stages", run->stages);
    stages("rollback", run->rollback);
    w.Key("warnings");
    w.StartArray();
    for (const auto& warning : run->warnings) w.String(warning.c_str());
    w.EndArray();
    w.Key("elapsedSeconds");
    w.Double(static_cast<double>(run->elapsed.count()) / 1000.0);
  }
  w.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

Result<void> print_report(Io& io, const cli::CommonFlags& flags, const std::string& json) {
  std::vector<rapidjson::Document> one(1);
  one.front().Parse(json.c_str());
  return cli::print_objects(io.out, flags.output, one);
}

// The journal in TO: absent (a fresh run), in progress (refuse, or take over with --resume), or
// finished (a fresh run replaces it).
struct JournalState {
  std::optional<stork::Journal> journal;
  std::string resource_version;
};

Result<JournalState> read_journal(RunCluster& to, const FailoverArgs& args) {
  JournalState state;
  auto found =
      to.client->get(kube::types::configmaps, args.namespace_name, stork::journal_name(args.schedule));
  if (!found) {
    if (found.error().is_not_found()) return state;
    return std::move(found).error().wrap("reading the journal of earlier runs");
  }
  DR_TRY_ASSIGN(state.journal, stork::parse_journal(*found));
  state.resource_version = std::string(stork::resource_version(*found));
  return state;
}

bool confirm(Io& io, const FailoverArgs& args) {
  io.err << "Go ahead with the " << stork::direction_word(args.direction) << " to " << args.to_context
         << "? Only 'yes' is accepted: " << std::flush;
  std::string answer;
  std::getline(io.in, answer);
  return strings::trim(answer) == "yes";
}

}  // namespace

Result<int> failover_command(Direction direction, const Invocation& invocation, Io& io) {
  const auto& flags = invocation.common;
  DR_TRY_ASSIGN(auto args, read_args(direction, invocation));
  const std::string word(stork::direction_word(direction));
  const bool machine = cli::is_machine_readable(flags.output);
  const bool yes = invocation.flag("yes");
  if (flags.dry_run == DryRun::None && !yes && !io.in_is_terminal) {
    return Error::usage("refusing to " + word +
                        " without confirmation: there is no terminal to ask on; pass --yes "
                        "(or --dry-run=client to see the plan)");
  }
  DR_TRY_ASSIGN(auto to, connect_to(io, flags, args.to_context));
  RunCluster from{args.from_context, nullptr};
  if (!args.from_context.empty()) {
    DR_TRY_ASSIGN(from, connect_to(io, flags, args.from_context));
  }
  InterruptGuard guard(to.client->transport());
  args.namespace_name = effective_namespace(flags.overrides, *to.client);

  DR_TRY_ASSIGN(auto journal_state, read_journal(to, args));
  auto& existing = journal_state.journal;
  if (existing && !existing->finished() && !args.resume) {
    return Error::make(
        ErrorCode::Usage,
        "a " + std::string(stork::direction_word(existing->direction)) + " of MigrationSchedule " +
            args.namespace_name + "/" + args.schedule + " is in progress: run " + existing->run_id +
            ", started " + existing->started_at + " by " + existing->owner + " (done: " +
            (existing->completed.empty() ? "nothing yet" : strings::join(existing->completed, ", ")) +
            "); finish it with --resume");
  }
  if (args.resume) {
    if (!existing)
      return Error::usage("nothing to resume: no run of " + args.namespace_name + "/" + args.schedule +
                          " is recorded on " + to.context);
    if (existing->finished()) {
      return Error::usage("nothing to resume: run " + existing->run_id + " already ended " + existing->state);
    }
    if (existing->direction != direction) {
      return Error::usage(
          "run " + existing->run_id + " is a " + std::string(stork::direction_word(existing->direction)) +
          ": resume it with kubectl dr " + std::string(stork::direction_word(existing->direction)));
    }
    args.namespaces = existing->namespaces;
    args.skip_source = existing->skip_source;
  } else {
    auto schedule = to.client->get(kube::types::migrationschedules, args.namespace_name, args.schedule);
    if (schedule) {
      DR_TRY_ASSIGN(auto all, namespaces_of_schedule(*to.client, *schedule));
      DR_TRY_ASSIGN(args.namespaces, stork::action_namespaces(all, invocation.list("include-namespaces"),
                                                              invocation.list("exclude-namespaces")));
    }
  }

  auto checks = preflight(args, from, to);
  const auto stages = stork::plan_stages(direction, {args.skip_source, checks.domains});
  if (!machine) print_preflight(io.out, checks);
  if (checks.failed()) {
    if (machine) DR_TRY(print_report(io, flags, report_json(args, checks, nullptr, "PreflightFailed")));
    return Error::make(ErrorCode::Usage, word + " refused: a preflight check failed (see above)");
  }
  if (!machine) {
    const auto down = from.client ? planned_writes(from, stork::Mode::DeactivateApps, args.namespaces)
                                  : std::vector<WorkloadResult>{};
    const auto up = planned_writes(to, stork::Mode::ActivateMigration, args.namespaces);
    print_plan(io.out, args, stages, down, up);
    io.out << std::flush;
  }
  if (flags.dry_run != DryRun::None) {
    if (machine) DR_TRY(print_report(io, flags, report_json(args, checks, nullptr, "Planned")));
    return 0;
  }
  if (!yes && !confirm(io, args)) {
    io.err << word << " not started: not confirmed\n";
    return 1;
  }

  stork::Journal journal;
  std::string version;
  if (args.resume) {
    journal = *existing;
    version = journal_state.resource_version;
    io.err << "Resuming run " << journal.run_id << " (done: "
           << (journal.completed.empty() ? "nothing yet" : strings::join(journal.completed, ", ")) << ")\n";
  } else {
    journal.run_id = new_run_id();
    journal.direction = direction;
    journal.schedule = args.schedule;
    journal.from_context = args.from_context;
    journal.to_context = args.to_context;
    journal.namespaces = args.namespaces;
    journal.skip_source = args.skip_source;
    journal.started_at = format_rfc3339(std::chrono::system_clock::now());
    // A finished run's journal is replaced (guarded by its version); a new one is created, and a
    // run that created it meanwhile makes this create fail: never two runs at once.
    rapidjson::Document body;
    body.Parse(
        stork::journal_configmap(journal, args.namespace_name, existing ? journal_state.resource_version : "")
            .c_str());
    auto stored = existing ? to.client->update(kube::types::configmaps, args.namespace_name, body)
                           : to.client->create(kube::types::configmaps, args.namespace_name, body);
    if (!stored) {
      Error error = std::move(stored).error();
      if (error.is_conflict()) error.message = "another run started meanwhile: " + error.message;
      return std::move(error).wrap("recording the run in ConfigMap " + args.namespace_name + "/" +
                                   stork::journal_name(args.schedule) + " on " + to.context);
    }
    version = std::string(stork::resource_version(*stored));
    io.err << "Run " << journal.run_id << " recorded in ConfigMap " << args.namespace_name << "/"
           << stork::journal_name(args.schedule) << " on " << to.context << "\n";
  }

  auto run = run_failover_stages(args, stages, journal, version, from, to, io);
  for (const auto& warning : run.warnings) io.err << "Warning: " << warning << "\n";
  if (machine) DR_TRY(print_report(io, flags, report_json(args, checks, &run, run.outcome)));
  io.err << word << " " << run.outcome << " in " << format_go_duration(run.elapsed) << " (run " << run.run_id
         << ")\n";
  if (run.outcome == "Succeeded") return 0;
  if (run.outcome == "PartiallySucceeded") return kExitPartialSuccess;
  return 1;
}

}  // namespace dr::commands
