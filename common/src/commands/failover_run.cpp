// The stages of a client-driven failover/failback. Every stage is safe to run again after a crash
// (the journal says which finished, but a stage killed half-way runs again): scaling down skips what
// is already at 0 with its count recorded, the last-mile migration is named in the journal before it
// is created and waited for if it exists, domain updates are skipped when the domain is already in
// the wanted state, and scaling up restores recorded counts only.
#include <unistd.h>

#include <algorithm>
#include <array>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "dr/core/time.hpp"
#include "dr/stork/cluster_domains.hpp"
#include "dr/stork/migration_schedules.hpp"
#include "dr/stork/object.hpp"
#include "failover_run.hpp"

namespace dr::commands {

namespace {

using stork::Direction;
using stork::Stage;
using Clock = std::chrono::steady_clock;

std::string now_text() {
  return format_rfc3339(std::chrono::system_clock::now());
}

std::string owner_text() {
  std::array<char, 256> host{};
  if (gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
  return std::string(host.data()) + " pid " + std::to_string(getpid());
}

// Fault injection for the end-to-end tests of --resume: KUBECTL_DR_CRASH_AT=POINT kills the process
// with SIGKILL at that point, as a power cut or `kill -9` would: a stage id (right after the journal
// records that stage) or "last-mile-created" (the Migration exists, its result is not yet known).
void crash_point(std::string_view point) {
  const char* at = std::getenv("KUBECTL_DR_CRASH_AT");
  if (at != nullptr && point == at) std::raise(SIGKILL);
}

// The namespaces as a Selection, for the activation engine.
Result<stork::Selection> selection_of(const std::vector<std::string>& namespaces) {
  stork::SelectionFlags flags;
  flags.include_namespaces = namespaces;
  return stork::Selection::from_flags(flags);
}

// Stores the journal (an update guarded by its resourceVersion: a second run writing meanwhile
// makes this one fail instead of both going on).
Result<void> save_journal(kube::ApiClient& client, const FailoverArgs& args, stork::Journal& journal,
                          std::string& version) {
  journal.updated_at = now_text();
  journal.owner = owner_text();
  rapidjson::Document body;
  body.Parse(stork::journal_configmap(journal, args.namespace_name, version).c_str());
  auto saved = client.update(kube::types::configmaps, args.namespace_name, body);
  if (!saved) {
    Error error = std::move(saved).error();
    if (error.is_conflict()) {
      error.message = "the journal " + args.namespace_name + "/" + stork::journal_name(args.schedule) +
                      " was changed by another run; stopping (" + error.message + ")";
    }
    return std::move(error).wrap("saving the journal");
  }
  version = std::string(stork::resource_version(*saved));
  return {};
}

// Polls one object until `settled` says it is done (true) or the timeout: first after 50 ms, then
// twice as long each time up to 1 s (a migration of one namespace takes well under a second; one of
// a thousand, minutes).
Result<rapidjson::Document> poll_object(kube::ApiClient& client, const kube::ResourceType& type,
                                        const std::string& ns, const std::string& name,
                                        std::chrono::milliseconds timeout,
                                        const std::function<bool(const rapidjson::Value&)>& settled) {
  const auto deadline = Clock::now() + timeout;
  std::chrono::milliseconds pause(50);
  while (true) {
    auto object = client.get(type, ns, name);
    if (!object) return std::move(object).error().wrap("waiting for " + type.kind + " " + name);
    if (settled(*object)) return object;
    if (client.transport().cancelled()) return Error::make(ErrorCode::Cancelled, "interrupted while waiting");
    if (timeout.count() > 0 && Clock::now() >= deadline) {
      return Error::make(ErrorCode::Timeout, "timed out waiting for " + type.kind + " " + ns + "/" + name);
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(1000));
  }
}

class StageRunner {
 public:
  StageRunner(const FailoverArgs& args, stork::Journal& journal, std::string& journal_version,
              RunCluster& from, RunCluster& to, Io& io)
      : args_(args), journal_(journal), version_(journal_version), from_(from), to_(to), io_(io) {}

  RunReport run(const std::vector<Stage>& stages) {
    report_.run_id = journal_.run_id;
    const auto started = Clock::now();
    bool failed = false;
    bool scaled_down = journal_.done(Stage::ScaleDown);
    for (std::size_t i = 0; i < stages.size(); ++i) {
      StageRecord record;
      record.stage = stages[i];
      record.description = stork::stage_description(stages[i], args_.direction, from_.context, to_.context);
      if (failed || to_.client->transport().cancelled()) {
        report_.stages.push_back(std::move(record));
        continue;
      }
      // A finished stage is not repeated; scale-down is, when its wait did not finish, because the
      // wait needs the list of what was scaled (and scaling down again changes nothing).
      const bool repeat_for_wait = stages[i] == Stage::ScaleDown && !journal_.done(Stage::WaitStopped);
      if (journal_.done(stages[i]) && !repeat_for_wait) {
        record.outcome = StageOutcome::AlreadyDone;
        record.detail = "done in run " + journal_.run_id;
        print(i, stages.size(), record);
        report_.stages.push_back(std::move(record));
        continue;
      }
      const auto stage_started = Clock::now();
      auto result = run_stage(stages[i], record);
      record.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - stage_started);
      if (result) {
        record.outcome = StageOutcome::Done;
        if (stages[i] == Stage::ScaleDown) scaled_down = true;
        if (!journal_.done(stages[i])) journal_.completed.emplace_back(stork::stage_id(stages[i]));
        if (auto saved = save_journal(*to_.client, args_, journal_, version_); !saved) {
          result = std::move(saved).error();
          record.outcome = StageOutcome::Failed;
        } else {
          crash_point(stork::stage_id(stages[i]));
        }
      } else {
        record.outcome = StageOutcome::Failed;
      }
      if (!result) {
        record.detail = result.error().kubectl_line();
        failed = true;
      }
      print(i, stages.size(), record);
      report_.stages.push_back(std::move(record));
    }
    report_.outcome = failed ? "Failed" : "Succeeded";
    if (!failed && partially_up_) report_.outcome = "PartiallySucceeded";
    if (failed && scaled_down && args_.rollback && from_.client && !from_.client->transport().cancelled()) {
      roll_back();
    } else if (failed && scaled_down && !args_.rollback) {
      report_.warnings.push_back("--no-rollback: the apps on " + from_.context +
                                 " stay at 0 (their counts are recorded); re-run with --resume to go on");
    }
    journal_.state = report_.outcome == "PartiallySucceeded" ? "Succeeded" : report_.outcome;
    journal_.message = failed ? last_failure() : "";
    if (auto saved = save_journal(*to_.client, args_, journal_, version_); !saved) {
      report_.warnings.push_back(saved.error().kubectl_line());
    }
    report_.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    return std::move(report_);
  }

 private:
  void print(std::size_t index, std::size_t total, const StageRecord& record) {
    io_.err << "[" << index + 1 << "/" << total << "] " << record.description << ": "
            << to_string(record.outcome);
    if (record.outcome == StageOutcome::Done) io_.err << " (" << format_go_duration(record.elapsed) << ")";
    if (!record.detail.empty()) io_.err << " - " << record.detail;
    io_.err << "\n" << std::flush;
  }

  std::string last_failure() const {
    // At most one stage fails: the ones after it are not attempted.
    for (const auto& record : report_.stages) {
      if (record.outcome == StageOutcome::Failed) {
        return std::string(stork::stage_id(record.stage)) + ": " + record.detail;
      }
    }
    return "";
  }

  Result<void> run_stage(Stage stage, StageRecord& record) {
    switch (stage) {
      case Stage::SuspendSchedule:
        return set_suspend(args_.direction == Direction::Failover ? from_ : to_, true);
      case Stage::ResumeSchedule:
        return set_suspend(to_, false);
      case Stage::ActivateDomain:
        return set_domain(to_, true);
      case Stage::DeactivateDomain:
        return set_domain(from_, false);
      case Stage::ScaleDown:
        DR_TRY(activate(from_, stork::Mode::DeactivateApps, record, scaled_down_report_));
        return clear_application_activated(from_);
      case Stage::WaitStopped:
        return wait_for_workloads(*from_.client, scaled_down_report_, stork::Mode::DeactivateApps,
                                  args_.timeout);
      case Stage::LastMileMigration:
        return last_mile(record);
      case Stage::ScaleUp:
        return activate(to_, stork::Mode::ActivateMigration, record, scaled_up_report_);
      case Stage::WaitReady:
        return wait_ready();
    }
    return Error::make(ErrorCode::Internal, "unknown stage");
  }

  Result<void> set_suspend(RunCluster& cluster, bool suspend) {
    auto patched =
        cluster.client->patch(kube::types::migrationschedules, args_.namespace_name, args_.schedule,
                              kube::PatchType::Merge, stork::suspend_patch_body(suspend, ""));
    if (!patched) {
      return std::move(patched).error().wrap(std::string(suspend ? "suspending" : "resuming") +
                                             " MigrationSchedule " + args_.namespace_name + "/" +
                                             args_.schedule + " on " + cluster.context);
    }
    return {};
  }

  // The local domain of `cluster`, from its ClusterDomainsStatus ("" when it names none).
  static Result<std::string> local_domain(kube::ApiClient& client) {
    std::string found;
    DR_TRY(client.list(kube::types::clusterdomainsstatuses, "", {},
                       [&](rapidjson::Value& items, std::string_view) -> Result<void> {
                         for (const auto& row : stork::cluster_domains_status_rows(items)) {
                           if (!row.local_domain.empty()) found = row.local_domain;
                         }
                         return {};
                       }));
    return found;
  }

  // Creates a ClusterDomainUpdate in `to` (the surviving side) for `cluster`'s domain; waits for it.
  Result<void> set_domain(RunCluster& cluster, bool activate) {
    DR_TRY_ASSIGN(auto domain, local_domain(*cluster.client));
    if (domain.empty()) {
      return Error::make(ErrorCode::NotFound,
                         "the ClusterDomainsStatus of " + cluster.context + " names no local domain");
    }
    DR_TRY_ASSIGN(auto active, domain_active(domain));
    if (active == activate) return {};
    const std::string name = "kubectl-dr-" + journal_.run_id + (activate ? "-activate" : "-deactivate");
    rapidjson::Document body;
    body.Parse(stork::cluster_domain_update_body(name, domain, activate).c_str());
    if (auto created = to_.client->create(kube::types::clusterdomainupdates, "", body);
        !created && !created.error().is_server(409)) {
      return std::move(created).error().wrap("creating ClusterDomainUpdate " + name);
    }
    DR_TRY_ASSIGN(auto update, poll_object(*to_.client, kube::types::clusterdomainupdates, "", name,
                                           args_.timeout, [](const rapidjson::Value& object) {
                                             const auto* status = stork::at_path(object, "status.status");
                                             return status != nullptr && status->IsString() &&
                                                    std::string_view(status->GetString()) != "" &&
                                                    std::string_view(status->GetString()) != "InProgress";
                                           }));
    const auto* status = stork::at_path(update, "status.status");
    if (std::string_view(status->GetString()) != "Successful") {
      const auto* reason = stork::at_path(update, "status.reason");
      return Error::make(ErrorCode::Server, "ClusterDomainUpdate " + name + " " + status->GetString() +
                                                (reason != nullptr && reason->IsString()
                                                     ? std::string(": ") + reason->GetString()
                                                     : std::string()));
    }
    return {};
  }

  // The apps no longer run on `cluster`: its schedule must not say they do, or Stork refuses every
  // migration into it (the failback's last mile, later). The engine clears the flag on static
  // copies only, as storkctl does; an activation on the source (a rollback) sets it there too.
  Result<void> clear_application_activated(RunCluster& cluster) {
    auto schedule =
        cluster.client->get(kube::types::migrationschedules, args_.namespace_name, args_.schedule);
    if (!schedule)
      return std::move(schedule).error().wrap("reading the MigrationSchedule on " + cluster.context);
    if (!stork::bool_at(*schedule, "status.applicationActivated").value_or(false)) return {};
    auto patched =
        cluster.client->patch(kube::types::migrationschedules, args_.namespace_name, args_.schedule,
                              kube::PatchType::Merge, stork::application_activated_patch_body(false, ""));
    if (!patched)
      return std::move(patched).error().wrap("clearing applicationActivated on " + cluster.context);
    return {};
  }

  // Is `domain` active, as `to` sees it?
  Result<bool> domain_active(const std::string& domain) {
    bool active = true;
    DR_TRY(to_.client->list(kube::types::clusterdomainsstatuses, "", {},
                            [&](rapidjson::Value& items, std::string_view) -> Result<void> {
                              const auto rows = stork::cluster_domains_status_rows(items);
                              if (auto state = stork::find_domain(rows, domain)) {
                                active = *state == stork::DomainState::Active;
                              }
                              return {};
                            }));
    return active;
  }

  Result<void> activate(RunCluster& cluster, stork::Mode mode, StageRecord& record, ActivationReport& out) {
    DR_TRY_ASSIGN(auto selection, selection_of(args_.namespaces));
    ActivationOptions options;
    options.mode = mode;
    options.selection = std::move(selection);
    out = run_activation(*cluster.client, options);
    record.workloads = out.workloads;
    const std::size_t failed = out.count(Outcome::Failed);
    record.detail = std::to_string(out.count(Outcome::Updated)) + " updated, " +
                    std::to_string(out.count(Outcome::Unchanged)) + " unchanged, " + std::to_string(failed) +
                    " failed";
    if (!out.errors.empty()) return out.errors.front();
    if (out.interrupted) return Error::make(ErrorCode::Cancelled, "interrupted");
    if (failed > 0) {
      if (mode == stork::Mode::ActivateMigration && failed < out.workloads.size() && !args_.rollback) {
        partially_up_ = true;
        return {};
      }
      return Error::make(ErrorCode::Server,
                         std::to_string(failed) + " workloads could not be scaled on " + cluster.context);
    }
    return {};
  }

  Result<void> wait_ready() {
    if (scaled_up_report_.workloads.empty()) {
      // Resumed after scale-up finished: ask the engine again (it changes nothing) for the list.
      StageRecord ignored;
      DR_TRY(activate(to_, stork::Mode::ActivateMigration, ignored, scaled_up_report_));
    }
    return wait_for_workloads(*to_.client, scaled_up_report_, stork::Mode::ActivateMigration, args_.timeout);
  }

  Result<void> last_mile(StageRecord& record) {
    auto& client = *from_.client;
    if (journal_.last_mile_migration.empty()) {
      journal_.last_mile_migration = args_.schedule.substr(0, 200) + "-lastmile-" + journal_.run_id;
      // Named in the journal before it exists: a run killed right after the create finds it.
      DR_TRY(save_journal(*to_.client, args_, journal_, version_));
    }
    const std::string& name = journal_.last_mile_migration;
    record.detail = "Migration " + args_.namespace_name + "/" + name;
    auto schedule = client.get(kube::types::migrationschedules, args_.namespace_name, args_.schedule);
    if (!schedule)
      return std::move(schedule).error().wrap("reading the MigrationSchedule on " + from_.context);
    rapidjson::Document body;
    body.Parse(stork::last_mile_migration_body(*schedule, name, args_.namespace_name, args_.namespaces,
                                               journal_.run_id)
                   .c_str());
    if (auto created = client.create(kube::types::migrations, args_.namespace_name, body);
        !created && !created.error().is_server(409)) {  // AlreadyExists: created before a crash
      return std::move(created).error().wrap("creating the last-mile Migration " + name);
    }
    crash_point("last-mile-created");
    DR_TRY_ASSIGN(auto migration, poll_object(client, kube::types::migrations, args_.namespace_name, name,
                                              args_.timeout, [](const rapidjson::Value& object) {
                                                const auto* stage = stork::at_path(object, "status.stage");
                                                return stage != nullptr && stage->IsString() &&
                                                       std::string_view(stage->GetString()) == "Final";
                                              }));
    const auto* status = stork::at_path(migration, "status.status");
    const std::string outcome = status != nullptr && status->IsString() ? status->GetString() : "";
    record.detail += " " + outcome;
    if (outcome == "Successful") return {};
    if (outcome == "PartialSuccess") {
      report_.warnings.push_back("the last-mile migration " + name + " was only partly successful");
      return {};
    }
    return Error::make(ErrorCode::Server, "the last-mile migration " + args_.namespace_name + "/" + name +
                                              " " + (outcome.empty() ? "ended without a status" : outcome));
  }

  // The destination could not be brought up: stop what came up there, and start the source again
  // from its recorded counts. Reported stage by stage like the run.
  void roll_back() {
    io_.err << "Rolling back: the apps go back to " << from_.context << "\n";
    const std::array<std::pair<RunCluster*, stork::Mode>, 2> steps = {
        {{&to_, stork::Mode::DeactivateMigration}, {&from_, stork::Mode::ActivateMigration}}};
    bool ok = true;
    for (std::size_t i = 0; i < steps.size(); ++i) {
      StageRecord record;
      record.stage = i == 0 ? Stage::ScaleDown : Stage::ScaleUp;
      record.description = i == 0
                               ? "Scale the apps on " + to_.context + " back to 0"
                               : "Scale the apps on " + from_.context + " back up to their recorded counts";
      const auto started = Clock::now();
      ActivationReport report;
      auto result = activate(*steps[i].first, steps[i].second, record, report);
      record.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
      record.outcome = result ? StageOutcome::Done : StageOutcome::Failed;
      if (!result) {
        record.detail = result.error().kubectl_line();
        ok = false;
      }
      print(i, steps.size(), record);
      report_.rollback.push_back(std::move(record));
    }
    report_.outcome = ok ? "RolledBack" : "RollbackFailed";
  }

  const FailoverArgs& args_;
  stork::Journal& journal_;
  std::string& version_;
  RunCluster& from_;
  RunCluster& to_;
  Io& io_;
  RunReport report_;
  ActivationReport scaled_down_report_;
  ActivationReport scaled_up_report_;
  bool partially_up_ = false;
};

}  // namespace

std::string_view to_string(StageOutcome outcome) {
  switch (outcome) {
    case StageOutcome::Done:
      return "done";
    case StageOutcome::AlreadyDone:
      return "already done";
    case StageOutcome::Failed:
      return "failed";
    case StageOutcome::NotAttempted:
      return "not attempted";
  }
  return "";
}

RunReport run_failover_stages(const FailoverArgs& args, const std::vector<stork::Stage>& stages,
                              stork::Journal& journal, std::string& journal_version, RunCluster& from,
                              RunCluster& to, Io& io) {
  StageRunner runner(args, journal, journal_version, from, to, io);
  return runner.run(stages);
}

}  // namespace dr::commands
