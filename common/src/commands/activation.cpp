#include "dr/commands/activation.hpp"

#include "activation_internal.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <optional>
#include <thread>
#include <utility>

#include "dr/stork/annotations.hpp"
#include "dr/stork/application_registration.hpp"
#include "dr/stork/migration_schedules.hpp"
#include "dr/stork/object.hpp"

namespace dr::commands {

namespace {

// Above this many namespaces, one cluster-wide list per kind costs fewer requests than a list per
// namespace, even though it returns objects the selection then drops.
constexpr std::size_t kPerNamespaceListLimit = 8;
// Objects planned between two steps of the transport while a page is planned: often enough that
// the writes keep flowing, seldom enough that the steps cost little.
constexpr std::size_t kPlannedPerPump = 32;

bool is_activation(stork::Mode mode) {
  return mode == stork::Mode::ActivateMigration;
}

class Engine {
 public:
  Engine(kube::ApiClient& client, const ActivationOptions& options, const ActivationObserver& observer)
      : client_(client), options_(options), observer_(observer) {}

  ActivationReport run() {
    const auto started = std::chrono::steady_clock::now();
    const auto requests_before = client_.transport().stats().requests;

    if (check_namespaces() && load_replicated_namespaces()) {
      auto targets = resolve_targets();
      kinds_.assign(targets.size(), KindProgress{});
      for (std::size_t kind = 0; kind < targets.size(); ++kind) {
        if (interrupted() || unreachable_) break;
        if (kind + 1 < targets.size()) {
          prefetch_first_page(targets[kind + 1]);
        } else if (updates_schedules()) {
          prefetch_schedules();
        }
        walk(targets[kind], kind);
      }
      // The last kinds' writes, then every held result (kinds cut short by an interruption included).
      client_.run_pending();
      delete_pods();
      for (auto& progress : kinds_) progress.listed = true;
      emit_ready();
      emitting_ = kAllKinds;
      retry_conflicts();
      // Only now, with every workload write answered: a schedule marked while its namespace's apps
      // are still at 0 (a kill, a lost connection, a refused write) tells Stork they run when they
      // do not, and Stork stops protecting nothing.
      const bool schedules = updates_schedules();
      if (schedules && !interrupted() && !unreachable_) queue_schedule_updates();
      if (schedules) finish_schedules();
    }

    if (!left_out_.empty()) {
      warn(std::to_string(left_out_.size()) + (left_out_.size() == 1 ? " namespace" : " namespaces") +
           " that Stork does not replicate left alone (" + *left_out_.begin() +
           (left_out_.size() > 1 ? ", ..." : "") +
           "): no MigrationSchedule names them and their workloads carry no Stork marks; name them "
           "with --include-namespaces to stop them too");
    }
    report_.interrupted = interrupted();
    report_.requests_sent = client_.transport().stats().requests - requests_before;
    report_.elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    return std::move(report_);
  }

 private:
  bool interrupted() const { return client_.transport().cancelled(); }

  // No answer at all (refused, DNS, TLS, timeout): every later request would meet the same fate,
  // each after its own --request-timeout, so the run stops at the first and reports it once.
  static bool no_answer(const Error& error) {
    return error.code == ErrorCode::Transport || error.code == ErrorCode::Timeout;
  }

  void fail(Error error) {
    if (no_answer(error)) {
      if (unreachable_) return;  // the same cause again: said once is enough
      unreachable_ = true;
    }
    if (observer_.on_error) observer_.on_error(error);
    report_.errors.push_back(std::move(error));
  }

  // A write could not reach the server at all (no connection, even after the transport's
  // retries). Said once, as the run's error (with -o json the per-object failures are only in the
  // report), and what is still waiting to be sent fails at once: each would meet the same fate
  // after its own retries and --request-timeout. Writes in flight finish on their own. A connection
  // that broke after a request was sent is that request's failure only (a flaky network, a
  // restarting server): the other writes go on.
  void server_lost(const Error& error) {
    if (unreachable_ || !error.unreachable) return;
    fail(error);
    auto abandoned =
        Error::make(error.code, "abandoned: the server stopped answering (" + error.message + ")");
    abandoned.unreachable = true;
    client_.transport().drop_unsent(abandoned);
  }

  void warn(std::string warning) {
    if (std::find(report_.warnings.begin(), report_.warnings.end(), warning) != report_.warnings.end())
      return;
    if (observer_.on_warning) observer_.on_warning(warning);
    report_.warnings.push_back(std::move(warning));
  }

  // Results come out in storkctl's kind order although a kind's list and writes overlap the tail of
  // the previous kind's writes: a result of a later kind waits until every earlier kind is done.
  void record(WorkloadResult result, std::size_t kind = kAllKinds) {
    if (kind != kAllKinds && kind > emitting_) {
      kinds_[kind].held.push_back(std::move(result));
      return;
    }
    emit(std::move(result));
  }

  void emit(WorkloadResult result) {
    if (result.outcome == Outcome::Failed) report_.failed_namespaces.insert(result.namespace_name);
    for (const auto& warning : result.warnings) warn(warning);
    if (observer_.on_workload) observer_.on_workload(result);
    report_.workloads.push_back(std::move(result));
  }

  // Moves past every finished kind (listed, no write outstanding), releasing the next one's results.
  void emit_ready() {
    while (emitting_ < kinds_.size() && kinds_[emitting_].listed && kinds_[emitting_].outstanding == 0) {
      ++emitting_;
      if (emitting_ == kinds_.size()) break;
      auto held = std::move(kinds_[emitting_].held);
      kinds_[emitting_].held.clear();
      for (auto& result : held) emit(std::move(result));
    }
  }

  // Stopping apps across all namespaces stops only what Stork replicates: a namespace named by a
  // MigrationSchedule, or a workload carrying Stork's marks. The rest of the cluster (ingress
  // controllers, monitoring, the DR tooling itself) keeps running. Namespaces named explicitly are
  // the operator's choice and need no such evidence.
  bool load_replicated_namespaces() {
    if (options_.mode != stork::Mode::DeactivateApps || !options_.selection.all_namespaces()) return true;
    auto named = namespaces_named_by_schedules(client_);
    if (!named) {
      fail(std::move(named).error());
      return false;
    }
    replicated_namespaces_ = std::move(named).value();
    replicated_only_ = true;
    return true;
  }

  // Explicit namespaces must exist: a typo should not look like "nothing to do". A missing one is
  // reported and fails the run, but the namespaces that do exist are still worked on (one bad
  // namespace never holds back the others); false only when none exists.
  bool check_namespaces() {
    const auto& selection = options_.selection;
    if (!options_.verify_namespaces || selection.all_namespaces()) return true;
    bool any_exists = selection.namespaces().empty();
    for (const auto& ns : selection.namespaces()) {
      if (unreachable_) return false;
      auto found = client_.get(kube::types::namespaces, "", ns);
      if (found) {
        any_exists = true;
      } else {
        fail(std::move(found).error());
      }
    }
    return any_exists;
  }

  std::vector<stork::ApplicationRegistration> application_registrations() {
    std::vector<stork::ApplicationRegistration> registrations;
    auto served = client_.discovery().serves(kube::types::applicationregistrations);
    if (!served) {
      // Any other error only means no custom kinds; no answer means no run.
      if (no_answer(served.error()))
        fail(std::move(served).error().wrap("discovering applicationregistrations"));
      return registrations;
    }
    if (!*served) return registrations;
    auto listed =
        client_.list(kube::types::applicationregistrations, "", {},
                     [&](rapidjson::Value& items, std::string_view) -> Result<void> {
                       for (auto& item : items.GetArray()) {
                         auto parsed = stork::parse_application_registration(item);
                         if (parsed) {
                           registrations.push_back(std::move(parsed).value());
                         } else {
                           warn("ignoring ApplicationRegistration " + std::string(stork::object_name(item)) +
                                ": " + parsed.error().describe());
                         }
                       }
                       return {};
                     });
    if (!listed) fail(std::move(listed).error().wrap("listing applicationregistrations"));
    return registrations;
  }

  // The kinds to walk, in storkctl's order, with optional kinds dropped when the server lacks them
  // and custom-resource plurals taken from discovery rather than guessed.
  std::vector<stork::Target> resolve_targets() {
    std::vector<stork::Target> resolved;
    auto targets = stork::activation_targets(application_registrations());
    std::vector<kube::ResourceType> handled;
    std::string names;
    for (const auto& target : targets) {
      handled.push_back(target.type);
      names += (names.empty() ? "" : ", ") + target.label;
    }
    if (auto unmatched = options_.selection.unmatched_resource_types(handled); !unmatched.empty()) {
      fail(Error::usage("--resource-types: " + unmatched.front() + " is not a kind activation handles (" +
                        names + ")"));
      return resolved;
    }
    for (auto& target : targets) {
      if (unreachable_) break;
      if (!options_.selection.type_selected(target.type)) continue;
      if (target.optional) {
        auto found = client_.discovery().find_kind(target.type.group, target.type.version, target.type.kind);
        if (!found) {
          fail(std::move(found).error().wrap("discovering " + target.type.kind));
          continue;
        }
        if (!found->has_value()) continue;  // not served here: nothing to activate
        target.type = **found;
      }
      resolved.push_back(std::move(target));
    }
    return resolved;
  }

  // Deactivating apps leaves the MigrationSchedules alone; the migration modes mark them.
  bool updates_schedules() const { return options_.mode != stork::Mode::DeactivateApps; }

  // The schedules are listed once across all namespaces when the kinds touched many namespaces, else
  // per namespace: one decision for the list and for the prefetch that must match it.
  bool schedules_listed_cluster_wide() const { return schedule_namespaces_.size() > kPerNamespaceListLimit; }

  kube::ListOptions workload_list_options() const {
    kube::ListOptions list_options;
    list_options.page_size = options_.page_size;
    list_options.label_selector = options_.selection.server_label_selector();
    return list_options;
  }

  // One list across all namespaces, or one per selected namespace when there are few.
  bool lists_cluster_wide(const stork::Target& target) const {
    const auto& selection = options_.selection;
    return !target.type.namespaced || selection.all_namespaces() ||
           selection.namespaces().size() > kPerNamespaceListLimit;
  }

  // The server builds the next kind's first page while this kind's pages are handled: without it,
  // a kind with few writes (ReplicaSets, most often) keeps one server thread listing and the
  // other idle, and each kind starts with a wait on its first page.
  void prefetch_first_page(const stork::Target& next) {
    if (!lists_cluster_wide(next)) return;
    client_.prefetch_list(next.type, "", workload_list_options());
  }

  // The same for the schedules, while the last kind is walked: when the kinds before it touched
  // enough namespaces for a cluster-wide list (queue_schedule_updates() makes that list then).
  void prefetch_schedules() {
    if (!schedules_listed_cluster_wide()) return;
    auto served = client_.discovery().serves(kube::types::migrationschedules);
    if (!served || !*served) return;  // queue_schedule_updates() reports it
    client_.prefetch_list(kube::types::migrationschedules, "", {});
  }

  void walk(const stork::Target& target, std::size_t kind) {
    const auto& selection = options_.selection;
    const kube::ListOptions list_options = workload_list_options();

    auto on_page = [&](rapidjson::Value& items, std::string_view) -> Result<void> {
      std::size_t planned = 0;
      for (auto& item : items.GetArray()) {
        if (interrupted() || unreachable_) break;
        consider(target, item, 0, kind);
        // Planning a page takes milliseconds: let the writes queued so far go out meanwhile.
        if (++planned % kPlannedPerPump == 0) client_.pump_pending();
      }
      // No further page: the error that made the server unreachable has been reported (and this
      // one, of the same kind, is not reported again).
      if (unreachable_) return Error::make(ErrorCode::Transport, "the server stopped answering");
      // Leave at most a page of writes outstanding, then fetch the next page: the server lists while
      // those are answered (no idle window between pages), and at most two pages' writes are held.
      client_.run_pending_until_at_most(options_.page_size);
      delete_pods();
      return {};
    };

    std::vector<std::string> scopes;
    if (lists_cluster_wide(target)) {
      scopes.emplace_back();
    } else {
      scopes = selection.namespaces();
    }
    for (const auto& ns : scopes) {
      if (interrupted() || unreachable_) break;
      auto listed = client_.list(target.type, ns, list_options, on_page);
      if (!listed) {
        if (target.optional && listed.error().is_not_found()) continue;
        std::string scope = ns.empty() ? "all namespaces" : "namespace " + ns;
        fail(std::move(listed).error().wrap("listing " + target.type.group_resource() + " in " + scope));
      }
    }
    // The next kind is listed while this one's last writes are answered (see record()).
    kinds_[kind].listed = true;
    emit_ready();
  }

  // Plans one object and, when it needs a write, queues it. `attempt` counts conflict retries.
  void consider(const stork::Target& target, const rapidjson::Value& object, int attempt,
                std::size_t kind = kAllKinds) {
    const auto& selection = options_.selection;
    const auto ns = stork::object_namespace(object);
    if (target.type.namespaced && !selection.namespace_selected(ns)) return;
    if (!selection.selected(target.type, object)) return;
    if (replicated_only_ && !replicated_namespaces_.count(std::string(ns)) &&
        !stork::has_stork_marks(object)) {
      left_out_.emplace(ns);
      return;
    }

    auto plan = stork::plan(options_.mode, target, object, stork::PlanOptions{options_.force});
    if (const auto* skip = stork::as_skip(plan)) {
      if (skip->reason == stork::SkipReason::NotManaged) return;
      note_managed(object);
      auto result = describe_workload(target, object);
      result.outcome = outcome_of(skip->reason);
      // --wait waits for these too: a workload left at its count is part of what was asked for.
      if (target.workload_class == stork::WorkloadClass::Replicated &&
          (skip->reason == stork::SkipReason::Unchanged || skip->reason == stork::SkipReason::Running))
        result.field = "spec.replicas";
      result.error = skip->detail;
      result.message = skip->message;
      record(std::move(result), kind);
      return;
    }

    const auto& write = *stork::as_write(plan);
    note_managed(object);
    auto result = describe_workload(target, object);
    result.field = write.field;
    result.from = write.from;
    result.to = write.to;
    result.warnings = write.warnings;
    if (options_.dry_run == DryRun::Client) {
      result.outcome = Outcome::Planned;
      result.message = write.success_message + " (dry run)";
      record(std::move(result), kind);
      return;
    }

    kube::WriteOptions write_options;
    write_options.dry_run = options_.dry_run == DryRun::Server;
    write_options.decode_answer = false;  // success is all we use: no parse of the patched object
    // A merge patch that sets absolute values is safe to repeat; one guarded by a resourceVersion
    // is too (a repeat after success answers 409, which re-reads and finds it done).
    // Copied first: the completion below takes `result` by move.
    const std::string ns_copy = result.namespace_name;
    const std::string name_copy = result.name;
    if (kind != kAllKinds) ++kinds_[kind].outstanding;
    client_.patch_async(target.type, ns_copy, name_copy, kube::PatchType::Merge, write.body, write_options,
                        [this, &target, result = std::move(result), success = write.success_message,
                         failure_prefix = write.failure_prefix, pods = write.pods_to_delete, attempt,
                         kind](Result<rapidjson::Document> done) mutable {
                          answered(target, std::move(result), std::move(done), success, failure_prefix, pods,
                                   attempt, kind);
                          if (kind != kAllKinds) {
                            --kinds_[kind].outstanding;
                            emit_ready();
                          }
                        });
  }

  // One write's answer: its result, its pods to delete, or a conflict to retry from a fresh read.
  void answered(const stork::Target& target, WorkloadResult result, Result<rapidjson::Document> done,
                const std::string& success, const std::string& failure_prefix,
                const std::vector<std::string>& pods, int attempt, std::size_t kind) {
    if (done) {
      const std::string ns = result.namespace_name;
      result.outcome = Outcome::Updated;
      result.message = success + (options_.dry_run == DryRun::Server ? " (server dry run)" : "");
      record(std::move(result), kind);
      // Deleted after the loop drains: no request from inside a completion.
      for (const auto& pod : pods) pods_to_delete_.emplace_back(ns, pod);
      return;
    }
    if (done.error().is_conflict() && attempt < options_.max_conflict_retries) {
      conflicts_.push_back({&target, result.namespace_name, result.name, attempt + 1});
      return;
    }
    result.outcome = Outcome::Failed;
    result.error =
        done.error().code == ErrorCode::Server ? done.error().kubectl_line() : done.error().describe();
    result.message = failure_prefix + result.error;
    record(std::move(result), kind);
    server_lost(done.error());
  }

  // Custom resources that declare podsPath: their pods go once the CR is suspended (as Stork does).
  void delete_pods() {
    auto pods = std::move(pods_to_delete_);
    pods_to_delete_.clear();
    if (options_.dry_run != DryRun::None) return;
    for (const auto& [ns, pod] : pods) {
      auto removed = client_.remove(kube::types::pods, ns, pod);
      if (!removed && !removed.error().is_not_found()) {
        fail(std::move(removed).error().wrap("deleting pod " + ns + "/" + pod));
      }
    }
  }

  // A workload Stork manages in this namespace: its MigrationSchedule must be told.
  void note_managed(const rapidjson::Value& object) {
    const auto ns = stork::object_namespace(object);
    if (ns.empty()) return;
    report_.namespaces.emplace(ns);
    schedule_namespaces_.insert(stork::schedule_namespace_for(object));
  }

  // Someone else changed these objects between our read and our write: re-read each one alone,
  // plan it again from what is there now, and send the new write.
  void retry_conflicts() {
    while (!conflicts_.empty() && !interrupted()) {
      auto round = std::move(conflicts_);
      conflicts_.clear();
      for (const auto& conflict : round) {
        Result<rapidjson::Document> fresh =
            unreachable_ ? Result<rapidjson::Document>(
                               Error::make(ErrorCode::Transport, "abandoned: the server stopped answering"))
                         : client_.get(conflict.target->type, conflict.namespace_name, conflict.name);
        if (!fresh) {
          server_lost(fresh.error());
          auto result =
              reread_failure(*conflict.target, conflict.namespace_name, conflict.name, fresh.error());
          record(std::move(result));
          continue;
        }
        consider(*conflict.target, *fresh, conflict.attempt);
      }
      client_.run_pending();
      delete_pods();
    }
  }

  // applicationActivated on the MigrationSchedules that migrate the namespaces we touched.
  //
  // Which schedules threaten the applications just activated here (Stork's semantics, see
  // pkg/migration/controllers in libopenstorage/stork):
  //  * A schedule of this cluster's own (no static-copy annotation) migrates this cluster's
  //    namespaces TO its ClusterPair's remote. Its migrations overwrite the remote's copies at 0
  //    replicas; they never scale this cluster's applications. Running is its normal state on the
  //    active side, e.g. right after a failback: no warning.
  //  * The threat is the schedule on the OTHER cluster that migrates to this one. From here it is
  //    visible only as its static copy (Stork >= 24.2 creates one on the destination, always with
  //    spec.suspend = true, so that flag says nothing about the real schedule). The copy's
  //    status.applicationActivated = true is what protects the apps: while it is set, Stork fails
  //    every migration of the remote schedule ("migrated applications are active on remote
  //    cluster"), and suspends it when it has autoSuspend. So the warning is for a static copy we
  //    needed to set and could not: the remote schedule's next migrations overwrite the apps just
  //    activated (Stork deletes and re-creates, at 0 replicas, every object whose hash changed on
  //    the source; unchanged ones it skips). A dry run plans the write the real run makes: no
  //    warning.
  //  * Without a static copy (older Stork) the remote schedule cannot be seen from here at all:
  //    nothing to warn about with evidence.
  //
  // Marked once every workload write has been answered, and only for schedules none of whose
  // touched namespaces had a failure (Stork's own controller marks a schedule only after its
  // namespaces' activation succeeded).
  void queue_schedule_updates() {
    if (report_.namespaces.empty()) return;
    auto served = client_.discovery().serves(kube::types::migrationschedules);
    if (!served) {
      fail(std::move(served).error().wrap("discovering migrationschedules"));
      return;
    }
    if (!*served) return;

    // Copied out of their pages into one pool: a Document each would cost an allocator and its
    // first 64 KB block per schedule. Copying a page of them takes milliseconds, in which the last
    // kind's writes keep going (without the pumps the server waited for them, a page at a time).
    rapidjson::MemoryPoolAllocator<> schedules_allocator;
    std::vector<rapidjson::Value> schedules;
    auto keep = [&](rapidjson::Value& items, std::string_view) -> Result<void> {
      std::size_t copied = 0;
      for (auto& item : items.GetArray()) {
        if (!schedule_namespaces_.count(std::string(stork::object_namespace(item)))) continue;
        schedules.emplace_back(item, schedules_allocator);  // the page's strings are its own copies
        if (++copied % kPlannedPerPump == 0) client_.pump_pending();
      }
      return {};
    };
    if (schedules_listed_cluster_wide()) {
      if (auto listed = client_.list(kube::types::migrationschedules, "", {}, keep); !listed) {
        fail(std::move(listed).error().wrap("listing migrationschedules"));
        return;
      }
    } else {
      for (const auto& ns : schedule_namespaces_) {
        if (auto listed = client_.list(kube::types::migrationschedules, ns, {}, keep); !listed) {
          fail(std::move(listed).error().wrap("listing migrationschedules in namespace " + ns));
        }
      }
    }

    const bool activating = is_activation(options_.mode);
    std::size_t planned = 0;
    for (auto& schedule : schedules) {
      if (++planned % kPlannedPerPump == 0) client_.pump_pending();
      const auto* labels_lookup = namespace_labels_if_needed(schedule);
      std::vector<std::string> migrated;
      if (labels_lookup == nullptr) {
        // Without namespaceSelectors only the listed namespaces count: looking each one up beats
        // testing every namespace touched against every schedule (quadratic at thousands of both).
        if (const auto* listed = stork::at_path(schedule, "spec.template.spec.namespaces");
            listed != nullptr && listed->IsArray()) {
          for (const auto& entry : listed->GetArray()) {
            if (!entry.IsString()) continue;
            std::string ns(entry.GetString(), entry.GetStringLength());
            if (report_.namespaces.count(ns)) migrated.push_back(std::move(ns));
          }
          std::sort(migrated.begin(), migrated.end());
        }
      } else {
        for (const auto& ns : report_.namespaces) {
          auto it = namespace_labels_.find(ns);
          const rapidjson::Value* labels = it != namespace_labels_.end() ? &it->second : nullptr;
          if (stork::schedule_migrates_namespace(schedule, ns, labels)) migrated.push_back(ns);
        }
      }
      if (migrated.empty()) continue;
      if (!stork::should_set_application_activated(schedule, activating)) continue;
      if (auto failed =
              std::find_if(migrated.begin(), migrated.end(),
                           [&](const std::string& ns) { return report_.failed_namespaces.count(ns); });
          failed != migrated.end()) {
        warn("MigrationSchedule " + std::string(stork::object_namespace(schedule)) + "/" +
             std::string(stork::object_name(schedule)) + " left as it is: namespace " + *failed +
             " has workloads that failed; re-run the command once they are fixed");
        continue;
      }
      if (activating && stork::is_static_copy(schedule)) {
        guarding_[pending_schedules_.size()] = migrated.front();
      }
      set_application_activated(schedule, activating);
    }
  }

  // A static copy whose applicationActivated could not be set leaves the remote schedule free to
  // migrate over the apps just activated (see queue_schedule_updates).
  void warn_unguarded(const ScheduleResult& result, const std::string& migrated) {
    warn(unguarded_schedule_warning(result, migrated));
  }

  const std::map<std::string, rapidjson::Value>* namespace_labels_if_needed(
      const rapidjson::Value& schedule) {
    if (!stork::schedule_uses_namespace_selectors(schedule)) return nullptr;
    if (!namespace_labels_loaded_) {
      namespace_labels_loaded_ = true;
      auto listed = client_.list(
          kube::types::namespaces, "", {}, [&](rapidjson::Value& items, std::string_view) -> Result<void> {
            for (auto& item : items.GetArray()) {
              if (!report_.namespaces.count(std::string(stork::object_name(item)))) {
                continue;
              }
              rapidjson::Value labels;
              if (const auto* found = stork::labels_of(item)) {
                labels.CopyFrom(*found, labels_allocator_);
              }
              namespace_labels_.emplace(std::string(stork::object_name(item)), std::move(labels));
            }
            return {};
          });
      if (!listed) fail(std::move(listed).error().wrap("listing namespaces for namespaceSelectors"));
    }
    return &namespace_labels_;
  }

  // Queued, not sent: the schedules' patches go out together through the in-flight window
  // (one at a time, a thousand schedules cost a thousand round trips). Results are reported in
  // list order once all have answered, so the output does not depend on timing.
  void set_application_activated(const rapidjson::Value& schedule, bool activated) {
    auto& result = pending_schedules_.emplace_back();
    result.namespace_name = std::string(stork::object_namespace(schedule));
    result.name = std::string(stork::object_name(schedule));
    result.application_activated = activated;
    result.message = stork::application_activated_message(result.namespace_name, result.name, activated);
    if (options_.dry_run == DryRun::Client) {
      result.outcome = Outcome::Planned;
      result.message += " (dry run)";
      return;
    }
    if (options_.dry_run == DryRun::Server) result.message += " (server dry run)";
    const std::size_t index = pending_schedules_.size() - 1;
    client_.patch_async(kube::types::migrationschedules, result.namespace_name, result.name,
                        kube::PatchType::Merge,
                        stork::application_activated_patch_body(activated, stork::resource_version(schedule)),
                        schedule_write_options(), [this, index](Result<rapidjson::Document> patched) {
                          auto& done = pending_schedules_[index];
                          if (patched) {
                            done.outcome = Outcome::Updated;
                          } else if (patched.error().is_conflict() && options_.max_conflict_retries > 0) {
                            schedule_conflicts_.push_back(index);
                          } else {
                            mark_schedule_failed(done, patched.error());
                            server_lost(patched.error());
                          }
                        });
  }

  kube::WriteOptions schedule_write_options() const {
    kube::WriteOptions write_options;
    write_options.dry_run = options_.dry_run == DryRun::Server;
    write_options.subresource = std::string(stork::kApplicationActivatedSubresource);
    write_options.decode_answer = false;  // success is all we use
    return write_options;
  }

  // Sends the queued schedule patches, retries the conflicted ones alone from a fresh read, and
  // reports every schedule in the order it was listed.
  void finish_schedules() {
    client_.run_pending();
    for (std::size_t index : schedule_conflicts_) {
      retry_schedule_patch(client_, pending_schedules_[index], options_.max_conflict_retries,
                           schedule_write_options());
    }
    schedule_conflicts_.clear();
    for (auto& result : pending_schedules_) {
      if (observer_.on_schedule) observer_.on_schedule(result);
    }
    for (const auto& [index, migrated] : guarding_) {
      if (pending_schedules_[index].outcome == Outcome::Failed)
        warn_unguarded(pending_schedules_[index], migrated);
    }
    for (auto& result : pending_schedules_) report_.schedules.push_back(std::move(result));
    pending_schedules_.clear();
    guarding_.clear();
  }

  struct Conflict {
    const stork::Target* target;
    std::string namespace_name;
    std::string name;
    int attempt;
  };

  // Per kind walked: its list done, its writes not yet answered, its results waiting their turn.
  struct KindProgress {
    bool listed = false;
    std::size_t outstanding = 0;
    std::vector<WorkloadResult> held;
  };
  static constexpr std::size_t kAllKinds = static_cast<std::size_t>(-1);  // not held: emitted at once

  kube::ApiClient& client_;
  const ActivationOptions& options_;
  std::vector<KindProgress> kinds_;
  std::size_t emitting_ = 0;  // the kind whose results go out as they come
  const ActivationObserver& observer_;
  ActivationReport report_;
  std::vector<Conflict> conflicts_;
  std::vector<std::pair<std::string, std::string>> pods_to_delete_;
  std::deque<ScheduleResult> pending_schedules_;  // deque: completions hold indexes, pushes don't move
  std::vector<std::size_t> schedule_conflicts_;
  // Static copies among pending_schedules_ (by index) and the activated namespace each guards.
  std::map<std::size_t, std::string> guarding_;
  std::set<std::string> schedule_namespaces_;
  rapidjson::MemoryPoolAllocator<> labels_allocator_;
  std::map<std::string, rapidjson::Value> namespace_labels_;
  bool namespace_labels_loaded_ = false;
  bool unreachable_ = false;
  bool replicated_only_ = false;
  std::set<std::string> replicated_namespaces_;
  std::set<std::string> left_out_;  // namespaces with workloads left out by replicated_only_
};

}  // namespace

ActivationReport run_activation(kube::ApiClient& client, const ActivationOptions& options,
                                const ActivationObserver& observer) {
  return Engine(client, options, observer).run();
}

}  // namespace dr::commands
