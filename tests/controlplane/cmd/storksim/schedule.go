package main

// MigrationSchedules, as Stork runs them: when a policy is due, which Migration it starts, and the
// schedule's status (the emulator's sim_stork_schedule.cpp, function for function).

import (
	"context"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The policy types in the order Stork checks them.
var policyTypes = []string{"Interval", "Daily", "Weekly", "Monthly"}

// kitchen parses "10:00PM" (Go's time.Kitchen, any case).
func kitchen(s string) (h, m int, ok bool) {
	t, err := time.Parse(time.Kitchen, strings.ToUpper(s))
	if err != nil {
		return 0, 0, false
	}
	return t.Hour(), t.Minute(), true
}

func slotDue(last, slot, now time.Time) bool { return last.Before(slot) && !now.Before(slot) }

func (s *Stork) triggerRequired(policy map[string]any, typ string, last, now time.Time) bool {
	now = now.UTC()
	today := func(h, m int) time.Time { return time.Date(now.Year(), now.Month(), now.Day(), h, m, 0, 0, time.UTC) }
	switch typ {
	case "Interval":
		p, ok := policy["interval"].(map[string]any)
		if !ok {
			return false
		}
		minutes := intAt(p, 0, "intervalMinutes")
		if minutes < 1 {
			return false
		}
		d := time.Duration(minutes) * time.Minute
		if s.MinutesAsSeconds {
			d = time.Duration(minutes) * time.Second
		}
		return last.Unix()+int64(d/time.Second) < now.Unix()
	case "Daily":
		h, m, ok := kitchen(str(policy, "daily", "time"))
		return ok && slotDue(last, today(h, m), now)
	case "Weekly":
		h, m, ok := kitchen(str(policy, "weekly", "time"))
		if !ok {
			return false
		}
		day := -1
		for i, n := range []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"} {
			if strings.HasPrefix(lower(str(policy, "weekly", "day")), n) {
				day = i
				break
			}
		}
		if day < 0 {
			return false
		}
		slot := today(h, m).AddDate(0, 0, (day-int(now.Weekday())+7)%7)
		if slot.After(now) {
			slot = slot.AddDate(0, 0, -7)
		}
		return slotDue(last, slot, now)
	case "Monthly":
		h, m, ok := kitchen(str(policy, "monthly", "time"))
		date := int(intAt(policy, 0, "monthly", "date"))
		if !ok || date < 1 || date > 31 {
			return false
		}
		slot := time.Date(now.Year(), now.Month(), date, h, m, 0, 0, time.UTC)
		if slot.After(now) {
			slot = time.Date(now.Year(), now.Month()-1, date, h, m, 0, 0, time.UTC)
		}
		return slotDue(last, slot, now)
	}
	return false
}

func migrationName(schedule, typ string, now time.Time) string {
	return schedule + "-" + lower(typ) + "-" + nameTimeSuffix(now)
}

// startMigration: a Pending item in the schedule's status, then the Migration object (owned by
// the schedule, its spec the template's, the schedule's annotations plus its name).
func (s *Stork) startMigration(ctx context.Context, c *Cluster, ms map[string]any, typ string, now time.Time) string {
	ns, name := namespaceOf(ms), nameOf(ms)
	migName := migrationName(name, typ, now)
	_ = c.modify(ctx, gvrSchedule, ns, name, func(d map[string]any) bool {
		its := obj(obj(d, "status"), "items")
		list, _ := its[typ].([]any)
		its[typ] = append(list, map[string]any{
			"name": migName, "creationTimestamp": rfc3339(now), "finishTimestamp": nil, "status": "Pending",
		})
		return true
	})
	ann := map[string]any{}
	if a, ok := path(ms, "metadata", "annotations").(map[string]any); ok {
		for k, v := range a {
			ann[k] = v
		}
	}
	ann[annScheduleName] = name
	spec := map[string]any{}
	if t, ok := path(ms, "spec", "template", "spec").(map[string]any); ok {
		spec = deepCopy(t)
	}
	m := map[string]any{
		"apiVersion": storkGroup + "/v1alpha1", "kind": "Migration",
		"metadata": map[string]any{
			"name": migName, "namespace": ns, "annotations": ann,
			"ownerReferences": []any{map[string]any{
				"apiVersion": storkGroup + "/v1alpha1", "kind": "MigrationSchedule", "name": name, "uid": str(ms, "metadata", "uid"),
			}},
		},
		"spec":   spec,
		"status": map[string]any{"stage": "", "status": "Pending"},
	}
	_ = c.create(ctx, gvrMigration, ns, m)
	return migName
}

// reconcileSchedule: the static copy on the peer, autoSuspend, the status of started
// migrations, a new migration when the policy says so, and pruning. active reports whether the
// schedule needs reconciling again (it is not suspended).
func (s *Stork) reconcileSchedule(ctx context.Context, c *Cluster, ns, name string, now time.Time) (started string, active bool) {
	ms := c.get(ctx, gvrSchedule, ns, name)
	if ms == nil || str(ms.Object, "metadata", "deletionTimestamp") != "" {
		return "", false
	}
	if annotation(ms.Object, annStaticCopy) != "" {
		return "", false // the copy on the DR side: nothing to run
	}
	suspended := func(d map[string]any) bool { return boolAt(d, "spec", "suspend") }
	suspend := func(msg string) {
		_ = c.modify(ctx, gvrSchedule, ns, name, func(d map[string]any) bool {
			obj(d, "spec")["suspend"] = true
			return true
		})
		if m := c.get(ctx, gvrSchedule, ns, name); m != nil {
			recordEvent(ctx, c, ns, m.Object, "Warning", "Suspended", msg)
		}
	}
	if !suspended(ms.Object) {
		pair := str(ms.Object, "spec", "template", "spec", "clusterPair")
		peer, why := s.pairPeer(ctx, c, ns, pair)
		if peer == nil {
			recordEvent(ctx, c, ns, ms.Object, "Warning", "Failed", why)
			return "", true
		}
		remote := peer.get(ctx, gvrSchedule, ns, name)
		if remote == nil {
			ensureNamespace(ctx, c, peer, ns)
			cp := deepCopy(ms.Object)
			stripForMigration(cp)
			setAnnotation(cp, annStaticCopy, "true")
			tmpl, _ := path(ms.Object, "spec", "template").(map[string]any)
			setAnnotation(cp, annResourceHash, canonicalHash(tmpl))
			obj(cp, "spec")["suspend"] = true
			cp["status"] = map[string]any{"items": nil, "applicationActivated": false}
			_ = peer.create(ctx, gvrSchedule, ns, cp)
			remote = peer.get(ctx, gvrSchedule, ns, name)
		}
		if remote != nil && annotation(remote.Object, annStaticCopy) != "true" {
			recordEvent(ctx, c, ns, ms.Object, "Warning", "Failed",
				"a non static-copy migrationSchedule with the same name and namespace found in the remote cluster")
			return "", true
		}
		if remote != nil && boolAt(ms.Object, "spec", "autoSuspend") && boolAt(remote.Object, "status", "applicationActivated") {
			suspend("Suspending migration schedule since migrated apps on remote cluster are active")
			return "", false
		}
	}
	// the status of the migrations it started
	nowStr := rfc3339(now)
	outcome := map[string]string{}
	if items, ok := path(ms.Object, "status", "items").(map[string]any); ok {
		for _, list := range items {
			l, _ := list.([]any)
			for _, it := range l {
				if isComplete(str(it, "status")) {
					continue
				}
				st := "Failed"
				if m := c.get(ctx, gvrMigration, ns, str(it, "name")); m != nil {
					st = str(m.Object, "status", "status")
				}
				if st == "" {
					st = "Pending"
				}
				outcome[str(it, "name")] = st
			}
		}
	}
	if len(outcome) > 0 {
		_ = c.modify(ctx, gvrSchedule, ns, name, func(d map[string]any) bool {
			items, ok := path(d, "status", "items").(map[string]any)
			if !ok {
				return false
			}
			for _, list := range items {
				l, _ := list.([]any)
				for _, it := range l {
					m, _ := it.(map[string]any)
					o, found := outcome[str(m, "name")]
					if m == nil || !found || isComplete(str(m, "status")) {
						continue
					}
					m["status"] = o
					if isComplete(o) {
						m["finishTimestamp"] = nowStr
					}
				}
			}
			return true
		})
	}
	ms = c.get(ctx, gvrSchedule, ns, name)
	if ms == nil {
		return "", false
	}
	if !suspended(ms.Object) {
		active = true
		domain := localDomain(ctx, c)
		if v := s.domainState(ctx, domain); v.known && !v.active {
			suspend("Suspending migration schedule since local clusterdomain is inactive")
			return "", false
		}
		var policy map[string]any
		if p := c.get(ctx, gvrPolicy, "", str(ms.Object, "spec", "schedulePolicyName")); p != nil {
			policy, _ = p.Object["policy"].(map[string]any)
		}
		items, _ := path(ms.Object, "status", "items").(map[string]any)
		running := false
		for _, list := range items {
			l, _ := list.([]any)
			for _, it := range l {
				if !isComplete(str(it, "status")) {
					running = true
				}
			}
		}
		if !running && policy != nil {
			for _, typ := range policyTypes {
				last := time.Unix(0, 0)
				if l, ok := items[typ].([]any); ok {
					for _, it := range l {
						if t := parseRfc3339(str(it, "creationTimestamp")); t.After(last) {
							last = t
						}
					}
				}
				if !s.triggerRequired(policy, typ, last, now) {
					continue
				}
				migName := migrationName(name, typ, now)
				if c.get(ctx, gvrMigration, ns, migName) != nil {
					break
				}
				s.startMigration(ctx, c, ms.Object, typ, now)
				started = migName
				break
			}
		}
	}
	// prune: per policy type keep the last successful migration and what came after it
	var prune []string
	_ = c.modify(ctx, gvrSchedule, ns, name, func(d map[string]any) bool {
		items, ok := path(d, "status", "items").(map[string]any)
		if !ok {
			return false
		}
		changed := false
		prune = prune[:0]
		for typ, list := range items {
			l, _ := list.([]any)
			if len(l) < 2 {
				continue
			}
			keepFrom := 0
			for i := len(l) - 1; i >= 0; i-- {
				if st := str(l[i], "status"); st == "Successful" || st == "PartialSuccess" {
					keepFrom = i
					break
				}
			}
			if keepFrom == 0 {
				continue
			}
			for i := 0; i < keepFrom; i++ {
				prune = append(prune, str(l[i], "name"))
			}
			items[typ] = l[keepFrom:]
			changed = true
		}
		return changed
	})
	for _, m := range prune {
		_ = c.res(gvrMigration, ns).Delete(ctx, m, metav1.DeleteOptions{})
	}
	return started, active
}
