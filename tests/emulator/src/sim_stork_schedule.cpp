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
bool slotDue(std::time_t last, std::time_t slot, std::time_t now) {
  return last < slot && now >= slot;
}

bool triggerRequired(const Val& policy, const std::string& type, std::time_t last, std::time_t now,
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
    int64_t minutes = getInt(*p, {"intervalMinutes"});
    if (minutes < 1) return false;
    int64_t seconds = o.minutesAsSeconds ? minutes : minutes * 60;
    return last + seconds < now;
  }
  int h = 0, m = 0;
  if (type == "Daily") {
    const Val* p = find(policy, "daily");
    if (!p || !kitchen(getString(*p, {"time"}), h, m)) return false;
    return slotDue(last, today(h, m), now);
  }
  if (type == "Weekly") {
    const Val* p = find(policy, "weekly");
    if (!p || !kitchen(getString(*p, {"time"}), h, m)) return false;
    int day = weekday(getString(*p, {"day"}));
    if (day < 0) return false;
    std::time_t slot = today(h, m) + static_cast<std::time_t>((day - tm.tm_wday + 7) % 7) * 86400;
    if (slot > now) slot -= 7 * 86400;
    return slotDue(last, slot, now);
  }
  if (type == "Monthly") {
    const Val* p = find(policy, "monthly");
    if (!p || !kitchen(getString(*p, {"time"}), h, m)) return false;
    int date = static_cast<int>(getInt(*p, {"date"}));
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
    return slotDue(last, slot, now);
  }
  return false;
}

std::string migrationName(const std::string& schedule, const std::string& type, std::time_t now) {
  std::string lower = type;
  for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return schedule + "-" + lower + "-" + nameTimeSuffix(now);
}

}  // namespace

// Upstream startMigration: a Pending item in the schedule's status, then the Migration object
// (owned by the schedule, its spec the template's, the schedule's annotations plus its name).
std::string startMigration(Cluster& c, const Val& ms, const std::string& type, std::time_t now) {
  auto msR = storkResource(c, "migrationschedules");
  auto migR = storkResource(c, "migrations");
  std::string ns = getString(ms, {"metadata", "namespace"}), name = getString(ms, {"metadata", "name"});
  std::string migName = migrationName(name, type, now), nowStr = rfc3339(now);
  modifyObject(c, *msR, ns, name, [&](Doc& d) {
    auto& a = d.GetAllocator();
    Val& st = objectMember(d, "status", a);
    Val& its = objectMember(st, "items", a);
    if (!find(its, type) || !find(its, type)->IsArray()) setMember(its, type, Val(rapidjson::kArrayType), a);
    Val item(rapidjson::kObjectType);
    setString(item, "name", migName, a);
    setString(item, "creationTimestamp", nowStr, a);
    item.AddMember("finishTimestamp", Val(rapidjson::kNullType), a);
    setString(item, "status", "Pending", a);
    find(its, type)->PushBack(item, a);
    return true;
  });
  Doc m(rapidjson::kObjectType);
  auto& a = m.GetAllocator();
  Val& md = objectMember(m, "metadata", a);
  setString(md, "name", migName, a);
  setString(md, "namespace", ns, a);
  Val ann(rapidjson::kObjectType);
  if (const Val* an = findPath(ms, {"metadata", "annotations"}); an && an->IsObject()) ann.CopyFrom(*an, a);
  setString(ann, kAnnScheduleName, name, a);
  md.AddMember("annotations", ann, a);
  Val refs(rapidjson::kArrayType);
  Val ref(rapidjson::kObjectType);
  setString(ref, "apiVersion", "stork.libopenstorage.org/v1alpha1", a);
  setString(ref, "kind", "MigrationSchedule", a);
  setString(ref, "name", name, a);
  setString(ref, "uid", getString(ms, {"metadata", "uid"}), a);
  refs.PushBack(ref, a);
  md.AddMember("ownerReferences", refs, a);
  Val spec(rapidjson::kObjectType);
  if (const Val* s = findPath(ms, {"spec", "template", "spec"}); s && s->IsObject()) spec.CopyFrom(*s, a);
  m.AddMember("spec", spec, a);
  Val st(rapidjson::kObjectType);
  setString(st, "stage", "", a);
  setString(st, "status", "Pending", a);
  m.AddMember("status", st, a);
  createObject(c, *migR, m);
  return migName;
}

namespace {

// The schedule's static copy on the peer: suspended, marked, its template's hash; a status with no
// items and applicationActivated false.
void createStaticCopy(Cluster& c, Cluster* peer, const ResourceType& msR, const Val& ms,
                      const std::string& ns) {
  ensureNamespace(c, *peer, ns);
  Doc copy;
  copy.CopyFrom(ms, copy.GetAllocator());
  stripForMigration(copy);
  auto& a = copy.GetAllocator();
  setAnnotation(copy, kAnnStaticCopy, "true");
  Doc tmpl;
  if (const Val* t = findPath(ms, {"spec", "template"})) tmpl.CopyFrom(*t, tmpl.GetAllocator());
  setAnnotation(copy, kAnnResourceHash, canonicalHash(tmpl));
  setBool(objectMember(copy, "spec", a), "suspend", true, a);
  Val st(rapidjson::kObjectType);
  st.AddMember("items", Val(rapidjson::kNullType), a);
  setBool(st, "applicationActivated", false, a);
  setMember(copy, "status", std::move(st), a);
  createObject(*peer, msR, copy);
}

// The status of the migrations a schedule started, copied into its status.items (read first: no
// store calls inside a mutation).
void updateItemStatuses(Cluster& c, const ResourceType& msR, const ResourceType& migR, const Val& ms,
                        const std::string& ns, const std::string& name, std::time_t now) {
  std::string nowStr = rfc3339(now);
  std::map<std::string, std::string> outcome;  // migration → its status now
  if (const Val* items = findPath(ms, {"status", "items"}); items && items->IsObject())
    for (auto& p : items->GetObject())
      if (p.value.IsArray())
        for (auto& it : p.value.GetArray()) {
          if (isComplete(getString(it, {"status"}))) continue;
          std::string st = "Failed";
          if (Object m = getObject(c, migR, ns, getString(it, {"name"})))
            st = getString(*m, {"status", "status"});
          outcome[getString(it, {"name"})] = st.empty() ? "Pending" : st;
        }
  if (!outcome.empty())
    modifyObject(c, msR, ns, name, [&](Doc& d) {
      Val* st0 = find(d, "status");
      Val* items = st0 ? find(*st0, "items") : nullptr;
      if (!items || !items->IsObject()) return false;
      auto& a = d.GetAllocator();
      for (auto& p : items->GetObject()) {
        if (!p.value.IsArray()) continue;
        for (auto& it : p.value.GetArray()) {
          auto o = outcome.find(getString(it, {"name"}));
          if (o == outcome.end() || isComplete(getString(it, {"status"}))) continue;
          setString(it, "status", o->second, a);
          if (isComplete(o->second)) setString(it, "finishTimestamp", nowStr, a);
        }
      }
      return true;
    });
}

// Prunes a schedule's status.items: per policy type, the last successful migration and what came
// after it stay; the Migrations of the others are deleted.
void pruneMigrations(Cluster& c, const ResourceType& msR, const ResourceType& migR, const std::string& ns,
                     const std::string& name) {
  std::vector<std::string> prune;
  modifyObject(c, msR, ns, name, [&](Doc& d) {
    Val* st = find(d, "status");
    Val* items = st ? find(*st, "items") : nullptr;
    if (!items || !items->IsObject()) return false;
    bool changed = false;
    for (auto& p : items->GetObject()) {
      if (!p.value.IsArray() || p.value.Size() < 2) continue;
      int n = static_cast<int>(p.value.Size()), keepFrom = 0;
      for (int i = n - 1; i >= 0; --i) {
        std::string s = getString(p.value[static_cast<rapidjson::SizeType>(i)], {"status"});
        if (s == "Successful" || s == "PartialSuccess") {
          keepFrom = i;
          break;
        }
      }
      if (keepFrom == 0) continue;
      for (int i = 0; i < keepFrom; ++i) {
        prune.push_back(getString(p.value[0], {"name"}));
        p.value.Erase(p.value.Begin());
      }
      changed = true;
    }
    return changed;
  });
  for (auto& m : prune) deleteObject(c, migR, ns, m);
}

}  // namespace

std::string reconcileSchedule(Emulator& e, Cluster& c, const std::string& ns, const std::string& name,
                              const StorkOptions& o, std::time_t now, bool* active) {
  if (active) *active = false;
  auto msR = storkResource(c, "migrationschedules");
  auto migR = storkResource(c, "migrations");
  if (!msR || !migR) return "";
  Object ms = getObject(c, *msR, ns, name);
  if (!ms || !getString(*ms, {"metadata", "deletionTimestamp"}).empty()) return "";
  if (!annotation(*ms, kAnnStaticCopy).empty()) return "";  // the copy on the DR side: nothing to run
  auto suspended = [](const Val& d) {
    const Val* s = findPath(d, {"spec", "suspend"});
    return s && s->IsBool() && s->GetBool();
  };
  auto suspend = [&](const std::string& msg) {
    modifyObject(c, *msR, ns, name, [&](Doc& d) {
      setBool(objectMember(d, "spec", d.GetAllocator()), "suspend", true, d.GetAllocator());
      return true;
    });
    if (auto m = getObject(c, *msR, ns, name)) recordEvent(c, ns, *m, "Warning", "Suspended", msg);
  };
  if (!suspended(*ms)) {
    std::string pair = getString(*ms, {"spec", "template", "spec", "clusterPair"}), why;
    Cluster* peer = pairPeer(e, c, ns, pair, &why);
    if (!peer) {
      recordEvent(c, ns, *ms, "Warning", "Failed", why);
      if (active) *active = true;
      return "";
    }
    Object remote = getObject(*peer, *msR, ns, name);
    if (!remote) {
      createStaticCopy(c, peer, *msR, *ms, ns);
      remote = getObject(*peer, *msR, ns, name);
    }
    if (remote && annotation(*remote, kAnnStaticCopy) != "true") {
      recordEvent(
          c, ns, *ms, "Warning", "Failed",
          "a non static-copy migrationSchedule with the same name and namespace found in the remote cluster");
      if (active) *active = true;
      return "";
    }
    if (remote && getBool(*ms, {"spec", "autoSuspend"}) &&
        getBool(*remote, {"status", "applicationActivated"})) {
      suspend("Suspending migration schedule since migrated apps on remote cluster are active");
      return "";
    }
  }
  updateItemStatuses(c, *msR, *migR, *ms, ns, name, now);
  ms = getObject(c, *msR, ns, name);
  if (!ms) return "";
  std::string started;
  if (!suspended(*ms)) {
    if (active) *active = true;
    std::string domain = localDomain(c);
    if (auto v = domainState(e, domain); v.known && !v.active) {
      suspend("Suspending migration schedule since local clusterdomain is inactive");
      if (active) *active = false;
      return "";
    }
    auto spR = storkResource(c, "schedulepolicies");
    std::string policyName = getString(*ms, {"spec", "schedulePolicyName"});
    Object policy;
    if (spR) policy = getObject(c, *spR, "", policyName);
    const Val* items = findPath(*ms, {"status", "items"});
    bool running = false;
    if (items && items->IsObject())
      for (auto& p : items->GetObject())
        if (p.value.IsArray())
          for (auto& it : p.value.GetArray())
            if (!isComplete(getString(it, {"status"}))) running = true;
    const Val* pol = policy ? find(*policy, "policy") : nullptr;
    if (!running && pol) {
      for (const char* type : kPolicyTypes) {
        std::time_t last = 0;
        if (items && items->IsObject())
          if (const Val* list = find(*items, type); list && list->IsArray())
            for (auto& it : list->GetArray())
              last = std::max(last, parseRfc3339(getString(it, {"creationTimestamp"})));
        if (!triggerRequired(*pol, type, last, now, o)) continue;
        std::string migName = migrationName(name, type, now);
        if (getObject(c, *migR, ns, migName)) break;
        startMigration(c, *ms, type, now);
        started = migName;
        break;
      }
    }
  }
  pruneMigrations(c, *msR, *migR, ns, name);
  return started;
}

}  // namespace emu::sim
