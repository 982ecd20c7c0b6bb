// Stork's MigrationSchedules: the static copy on the peer, suspension, the items' statuses, a new
// Migration when the SchedulePolicy is due, pruning (pkg/migration/controllers/migrationschedule.go).
#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <tuple>

#include "sim_stork_internal.hpp"

namespace emu::sim {

namespace {

// The policy types in the order Stork checks them.
const char* const kPolicyTypes[] = {"Interval", "Daily", "Weekly", "Monthly"};

int weekday(const std::string& day) {
  static const char* names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  std::string d;
  for (char ch : day) d += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  for (int i = 0; i < 7; ++i)
    if (d.rfind(names[i], 0) == 0) return i;
  return -1;
}

// "10:00PM" / "10:00pm" (Go's time.Kitchen) → hour, minute.
bool kitchen(const std::string& s, int& h, int& m) {
  char ap[3] = {0, 0, 0};
  if (std::sscanf(s.c_str(), "%d:%d%2c", &h, &m, ap) != 3) return false;
  bool pm = std::tolower(static_cast<unsigned char>(ap[0])) == 'p';
  if (h < 1 || h > 12 || m < 0 || m > 59) return false;
  h = h % 12 + (pm ? 12 : 0);
  return true;
}

// Upstream checkTrigger: due when the last trigger was before today's slot and the slot has passed.
bool slot_due(std::time_t last, std::time_t slot, std::time_t now) {
  return last < slot && now >= slot;
}

bool trigger_required(const Val& policy, const std::string& type, std::time_t last, std::time_t now,
                      const StorkOptions& o) {
  std::tm tm{};
  gmtime_r(&now, &tm);
  auto today = [&](int h, int m) {
    std::tm t = tm;
    t.tm_hour = h;
    t.tm_min = m;
    t.tm_sec = 0;
    return timegm(&t);
  };
  if (type == "Interval") {
    const Val* p = find(policy, "interval");
    if (!p || !p->IsObject()) return false;
    int64_t minutes = get_int(*p, {"intervalMinutes"});
    if (minutes < 1) return false;
    int64_t seconds = o.minutes_as_seconds ? minutes : minutes * 60;
    return last + seconds < now;
  }
  int h = 0, m = 0;
  if (type == "Daily") {
    const Val* p = find(policy, "daily");
    if (!p || !kitchen(get_string(*p, {"time"}), h, m)) return false;
    return slot_due(last, today(h, m), now);
  }
  if (type == "Weekly") {
    const Val* p = find(policy, "weekly");
    if (!p || !kitchen(get_string(*p, {"time"}), h, m)) return false;
    int day = weekday(get_string(*p, {"day"}));
    if (day < 0) return false;
    std::time_t slot = today(h, m) + static_cast<std::time_t>((day - tm.tm_wday + 7) % 7) * 86400;
    if (slot > now) slot -= 7 * 86400;
    return slot_due(last, slot, now);
  }
  if (type == "Monthly") {
    const Val* p = find(policy, "monthly");
    if (!p || !kitchen(get_string(*p, {"time"}), h, m)) return false;
    int date = static_cast<int>(get_int(*p, {"date"}));
    if (date < 1 || date > 31) return false;
    std::tm t = tm;
    t.tm_mday = date;
    t.tm_hour = h;
    t.tm_min = m;
    t.tm_sec = 0;
    std::time_t slot = timegm(&t);
    if (slot > now) {
      t.tm_mon -= 1;
      slot = timegm(&t);
    }
    return slot_due(last, slot, now);
  }
  return false;
}

std::string migration_name(const std::string& schedule, const std::string& type, std::time_t now) {
  std::string lower = type;
  for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return schedule + "-" + lower + "-" + name_time_suffix(now);
}

}  // namespace

// Upstream startMigration: a Pending item in the schedule's status, then the Migration object
// (owned by the schedule, its spec the template's, the schedule's annotations plus its name).
std::string start_migration(Cluster& c, const Val& ms, const std::string& type, std::time_t now) {
  auto ms_r = stork_resource(c, "migrationschedules");
  auto mig_r = stork_resource(c, "migrations");
  std::string ns = get_string(ms, {"metadata", "namespace"}), name = get_string(ms, {"metadata", "name"});
  std::string mig_name = migration_name(name, type, now), now_str = rfc3339(now);
  modify_object(c, *ms_r, ns, name, [&](Doc& d) {
    auto& a = d.GetAllocator();
    Val& st = object_member(d, "status", a);
    Val& its = object_member(st, "items", a);
    if (!find(its, type) || !find(its, type)->IsArray()) set_member(its, type, Val(rapidjson::kArrayType), a);
    Val item(rapidjson::kObjectType);
    set_string(item, "name", mig_name, a);
    set_string(item, "creationTimestamp", now_str, a);
    item.AddMember("finishTimestamp", Val(rapidjson::kNullType), a);
    set_string(item, "status", "Pending", a);
    find(its, type)->PushBack(item, a);
    return true;
  });
  Doc m(rapidjson::kObjectType);
  auto& a = m.GetAllocator();
  Val& md = add_metadata(m, mig_name, ns);
  Val ann = object_copy_at(ms, {"metadata", "annotations"}, a);
  set_string(ann, kAnnScheduleName, name, a);
  md.AddMember("annotations", ann, a);
  add_owner_reference(md,
                      OwnerRef{"stork.libopenstorage.org/v1alpha1", "MigrationSchedule", name,
                               get_string(ms, {"metadata", "uid"})},
                      false, a);
  Val spec = object_copy_at(ms, {"spec", "template", "spec"}, a);
  m.AddMember("spec", spec, a);
  Val st(rapidjson::kObjectType);
  set_string(st, "stage", "", a);
  set_string(st, "status", "Pending", a);
  m.AddMember("status", st, a);
  create_object(c, *mig_r, m);
  return mig_name;
}

namespace {

// The schedule's static copy on the peer: suspended, marked, its template's hash; a status with no
// items and applicationActivated false.
void create_static_copy(Cluster& c, Cluster* peer, const ResourceType& ms_r, const Val& ms,
                        const std::string& ns) {
  ensure_namespace(c, *peer, ns);
  Doc copy;
  copy.CopyFrom(ms, copy.GetAllocator());
  strip_for_migration(copy);
  auto& a = copy.GetAllocator();
  set_annotation(copy, kAnnStaticCopy, "true");
  Doc tmpl;
  if (const Val* t = find_path(ms, {"spec", "template"})) tmpl.CopyFrom(*t, tmpl.GetAllocator());
  set_annotation(copy, kAnnResourceHash, canonical_hash(tmpl));
  set_bool(object_member(copy, "spec", a), "suspend", true, a);
  Val st(rapidjson::kObjectType);
  st.AddMember("items", Val(rapidjson::kNullType), a);
  set_bool(st, "applicationActivated", false, a);
  set_member(copy, "status", std::move(st), a);
  create_object(*peer, ms_r, copy);
}

// The status of the migrations a schedule started, copied into its status.items (read first: no
// store calls inside a mutation).
void update_item_statuses(Cluster& c, const ResourceType& ms_r, const ResourceType& mig_r, const Val& ms,
                          const std::string& ns, const std::string& name, std::time_t now) {
  std::string now_str = rfc3339(now);
  std::map<std::string, std::string> outcome;  // migration → its status now
  if (const Val* items = find_path(ms, {"status", "items"}); items && items->IsObject())
    for (auto& p : items->GetObject())
      if (p.value.IsArray())
        for (auto& it : p.value.GetArray()) {
          if (is_complete(get_string(it, {"status"}))) continue;
          std::string st = "Failed";
          if (Object m = get_object(c, mig_r, ns, get_string(it, {"name"})))
            st = get_string(*m, {"status", "status"});
          outcome[get_string(it, {"name"})] = st.empty() ? "Pending" : st;
        }
  if (!outcome.empty())
    modify_object(c, ms_r, ns, name, [&](Doc& d) {
      Val* st0 = find(d, "status");
      Val* items = st0 ? find(*st0, "items") : nullptr;
      if (!items || !items->IsObject()) return false;
      auto& a = d.GetAllocator();
      for (auto& p : items->GetObject()) {
        if (!p.value.IsArray()) continue;
        for (auto& it : p.value.GetArray()) {
          auto o = outcome.find(get_string(it, {"name"}));
          if (o == outcome.end() || is_complete(get_string(it, {"status"}))) continue;
          set_string(it, "status", o->second, a);
          if (is_complete(o->second)) set_string(it, "finishTimestamp", now_str, a);
        }
      }
      return true;
    });
}

// Prunes a schedule's status.items: per policy type, the last successful migration and what came
// after it stay; the Migrations of the others are deleted.
void prune_migrations(Cluster& c, const ResourceType& ms_r, const ResourceType& mig_r, const std::string& ns,
                      const std::string& name) {
  std::vector<std::string> prune;
  modify_object(c, ms_r, ns, name, [&](Doc& d) {
    Val* st = find(d, "status");
    Val* items = st ? find(*st, "items") : nullptr;
    if (!items || !items->IsObject()) return false;
    bool changed = false;
    for (auto& p : items->GetObject()) {
      if (!p.value.IsArray() || p.value.Size() < 2) continue;
      int n = static_cast<int>(p.value.Size()), keep_from = 0;
      for (int i = n - 1; i >= 0; --i) {
        std::string s = get_string(p.value[static_cast<rapidjson::SizeType>(i)], {"status"});
        if (s == "Successful" || s == "PartialSuccess") {
          keep_from = i;
          break;
        }
      }
      if (keep_from == 0) continue;
      for (int i = 0; i < keep_from; ++i) {
        prune.push_back(get_string(p.value[0], {"name"}));
        p.value.Erase(p.value.Begin());
      }
      changed = true;
    }
    return changed;
  });
  for (auto& m : prune) delete_object(c, mig_r, ns, m);
}

}  // namespace

std::string reconcile_schedule(Emulator& e, Cluster& c, const std::string& ns, const std::string& name,
                               const StorkOptions& o, std::time_t now, bool* active) {
  if (active) *active = false;
  auto ms_r = stork_resource(c, "migrationschedules");
  auto mig_r = stork_resource(c, "migrations");
  if (!ms_r || !mig_r) return "";
  Object ms = get_object(c, *ms_r, ns, name);
  if (!ms || !get_string(*ms, {"metadata", "deletionTimestamp"}).empty()) return "";
  if (!annotation(*ms, kAnnStaticCopy).empty()) return "";  // the copy on the DR side: nothing to run
  auto suspended = [](const Val& d) {
    const Val* s = find_path(d, {"spec", "suspend"});
    return s && s->IsBool() && s->GetBool();
  };
  auto suspend = [&](const std::string& msg) {
    modify_object(c, *ms_r, ns, name, [&](Doc& d) {
      set_bool(object_member(d, "spec", d.GetAllocator()), "suspend", true, d.GetAllocator());
      return true;
    });
    if (auto m = get_object(c, *ms_r, ns, name)) record_event(c, ns, *m, "Warning", "Suspended", msg);
  };
  if (!suspended(*ms)) {
    std::string pair = get_string(*ms, {"spec", "template", "spec", "clusterPair"}), why;
    Cluster* peer = pair_peer(e, c, ns, pair, &why);
    if (!peer) {
      record_event(c, ns, *ms, "Warning", "Failed", why);
      if (active) *active = true;
      return "";
    }
    Object remote = get_object(*peer, *ms_r, ns, name);
    if (!remote) {
      create_static_copy(c, peer, *ms_r, *ms, ns);
      remote = get_object(*peer, *ms_r, ns, name);
    }
    if (remote && annotation(*remote, kAnnStaticCopy) != "true") {
      record_event(
          c, ns, *ms, "Warning", "Failed",
          "a non static-copy migrationSchedule with the same name and namespace found in the remote cluster");
      if (active) *active = true;
      return "";
    }
    if (remote && get_bool(*ms, {"spec", "autoSuspend"}) &&
        get_bool(*remote, {"status", "applicationActivated"})) {
      suspend("Suspending migration schedule since migrated apps on remote cluster are active");
      return "";
    }
  }
  update_item_statuses(c, *ms_r, *mig_r, *ms, ns, name, now);
  ms = get_object(c, *ms_r, ns, name);
  if (!ms) return "";
  std::string started;
  if (!suspended(*ms)) {
    if (active) *active = true;
    std::string domain = local_domain(c);
    if (auto v = domain_state(e, domain); v.known && !v.active) {
      suspend("Suspending migration schedule since local clusterdomain is inactive");
      if (active) *active = false;
      return "";
    }
    auto sp_r = stork_resource(c, "schedulepolicies");
    std::string policy_name = get_string(*ms, {"spec", "schedulePolicyName"});
    Object policy;
    if (sp_r) policy = get_object(c, *sp_r, "", policy_name);
    const Val* items = find_path(*ms, {"status", "items"});
    bool running = false;
    if (items && items->IsObject())
      for (auto& p : items->GetObject())
        if (p.value.IsArray())
          for (auto& it : p.value.GetArray())
            if (!is_complete(get_string(it, {"status"}))) running = true;
    const Val* pol = policy ? find(*policy, "policy") : nullptr;
    if (!running && pol) {
      for (const char* type : kPolicyTypes) {
        std::time_t last = 0;
        if (items && items->IsObject())
          if (const Val* list = find(*items, type); list && list->IsArray())
            for (auto& it : list->GetArray())
              last = std::max(last, parse_rfc3339(get_string(it, {"creationTimestamp"})));
        if (!trigger_required(*pol, type, last, now, o)) continue;
        std::string mig_name = migration_name(name, type, now);
        if (get_object(c, *mig_r, ns, mig_name)) break;
        start_migration(c, *ms, type, now);
        started = mig_name;
        break;
      }
    }
  }
  prune_migrations(c, *ms_r, *mig_r, ns, name);
  return started;
}

}  // namespace emu::sim
