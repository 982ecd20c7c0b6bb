package main

// Stork's DR behaviours, over REST: the same rules as the emulator's simulation
// (tests/emulator/src/sim_stork.cpp), function for function, so that a test passes or fails
// alike on both backends. docs/emulator-fidelity.md says how the two are kept together.

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Stork is one Portworx cluster spanning every cluster of the kubeconfig.
type Stork struct {
	Clusters         []*Cluster
	MinutesAsSeconds bool
}

func (s *Stork) find(name string) *Cluster {
	for _, c := range s.Clusters {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// recordEvent: a core/v1 Event about an object, as Stork records its reasons.
func recordEvent(ctx context.Context, c *Cluster, ns string, o map[string]any, typ, reason, message string) {
	name := nameOf(o)
	evNs := ns
	if evNs == "" {
		evNs = "default"
	}
	io := map[string]any{
		"apiVersion": str(o, "apiVersion"), "kind": str(o, "kind"), "name": name,
		"uid": str(o, "metadata", "uid"), "resourceVersion": str(o, "metadata", "resourceVersion"),
	}
	if ns != "" {
		io["namespace"] = ns
	}
	now := rfc3339(time.Now())
	ev := map[string]any{
		"apiVersion": "v1", "kind": "Event",
		"metadata":       map[string]any{"name": fmt.Sprintf("%s.%x", name, time.Now().UnixNano()), "namespace": evNs},
		"involvedObject": io, "type": typ, "reason": reason, "message": message, "count": int64(1),
		"firstTimestamp": now, "lastTimestamp": now,
		"source": map[string]any{"component": "stork"}, "reportingComponent": "stork",
	}
	_ = c.create(ctx, gvrEvent, evNs, ev)
}

// ensureNamespace copies the namespace (labels and annotations) to dst when it is missing there.
func ensureNamespace(ctx context.Context, src, dst *Cluster, ns string) {
	if dst.get(ctx, gvrNamespace, "", ns) != nil {
		return
	}
	md := map[string]any{"name": ns}
	if s := src.get(ctx, gvrNamespace, "", ns); s != nil {
		for _, k := range []string{"labels", "annotations"} {
			if v, ok := path(s.Object, "metadata", k).(map[string]any); ok {
				md[k] = deepCopy(map[string]any{"v": v})["v"]
			}
		}
	}
	d := map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": md}
	obj(md, "labels")["kubernetes.io/metadata.name"] = ns
	_ = dst.create(ctx, gvrNamespace, "", d)
}

// stripForMigration: what the resource collector keeps of an object: no server-set metadata, no status.
func stripForMigration(d map[string]any) {
	if md, ok := d["metadata"].(map[string]any); ok {
		for _, k := range []string{"uid", "resourceVersion", "creationTimestamp", "generation", "managedFields",
			"selfLink", "deletionTimestamp", "deletionGracePeriodSeconds", "ownerReferences", "finalizers"} {
			delete(md, k)
		}
	}
	delete(d, "status")
	if str(d, "kind") == "Service" {
		if spec, ok := d["spec"].(map[string]any); ok {
			if str(spec, "clusterIP") != "None" {
				delete(spec, "clusterIP")
				delete(spec, "clusterIPs")
			}
			delete(spec, "healthCheckNodePort")
		}
	}
}

// prepareApplication: Stork's prepareApplicationResource: replicas to 0, the count kept in the
// annotation (carried forward when the source is itself a stopped migrated copy).
func prepareApplication(d map[string]any, startApplications bool) {
	spec := obj(d, "spec")
	replicas := int64(1)
	if _, ok := spec["replicas"]; ok {
		replicas = intAt(spec, 1, "replicas")
	}
	if ann := annotation(d, annReplicas); replicas == 0 && ann != "" {
		if v, err := strconv.ParseInt(ann, 10, 64); err == nil && v > 0 {
			replicas = v
			spec["replicas"] = replicas
		}
	}
	if startApplications {
		return
	}
	spec["replicas"] = int64(0)
	setLabel(d, annMigrated, "true")
	setAnnotation(d, annReplicas, strconv.FormatInt(replicas, 10))
}

func (s *Stork) setMigrationFailed(ctx context.Context, c *Cluster, ns, name, reason string) {
	now := rfc3339(time.Now())
	_ = c.modify(ctx, gvrMigration, ns, name, func(d map[string]any) bool {
		st := obj(d, "status")
		st["stage"], st["status"], st["finishTimestamp"] = "Final", "Failed", now
		return true
	})
	if m := c.get(ctx, gvrMigration, ns, name); m != nil {
		recordEvent(ctx, c, ns, m.Object, "Warning", "Failed", reason)
	}
}

func localDomain(ctx context.Context, c *Cluster) string {
	for _, d := range c.list(ctx, gvrCDS, "") {
		if l := str(d.Object, "status", "localDomain"); l != "" {
			return l
		}
	}
	return c.Name
}

type domainView struct{ known, active bool }

func (s *Stork) domainState(ctx context.Context, domain string) domainView {
	for _, c := range s.Clusters {
		for _, d := range c.list(ctx, gvrCDS, "") {
			infos, _ := path(d.Object, "status", "clusterDomainInfos").([]any)
			for _, i := range infos {
				if str(i, "name") == domain {
					return domainView{known: true, active: str(i, "state") != "Inactive"}
				}
			}
		}
	}
	return domainView{}
}

// pairPeer: the cluster a ClusterPair points at (its kubeconfig's current context, or that
// context's cluster, named as one of ours).
func (s *Stork) pairPeer(ctx context.Context, source *Cluster, ns, pair string) (*Cluster, string) {
	cp := source.get(ctx, gvrPair, ns, pair)
	if cp == nil {
		if !source.serves(ctx, gvrPair) {
			return nil, "the cluster does not serve clusterpairs"
		}
		return nil, fmt.Sprintf("clusterpairs.stork.libopenstorage.org %q not found", pair)
	}
	cfg, ok := path(cp.Object, "spec", "config").(map[string]any)
	if !ok {
		return nil, "ClusterPair " + pair + " has no spec.config"
	}
	cur := str(cfg, "current-context")
	entry := ""
	if ctxs, ok := cfg["contexts"].([]any); ok {
		for _, x := range ctxs {
			if str(x, "name") == cur {
				entry = str(x, "context", "cluster")
			}
		}
	}
	for _, n := range []string{entry, cur} {
		if n == "" {
			continue
		}
		if c := s.find(n); c != nil && c != source {
			return c, ""
		}
	}
	return nil, "ClusterPair " + pair + " does not name an emulated cluster"
}

// MigrationResult is what runMigration reports (the emulator's MigrationResult).
type MigrationResult struct {
	Name, Status, Reason string
	Resources            int
}

// runMigration: claim a Pending Migration (set InProgress, write the defaults back), then copy.
func (s *Stork) runMigration(ctx context.Context, source *Cluster, ns, name string, at time.Time) (res MigrationResult, claimed bool) {
	res.Name = name
	mig := source.get(ctx, gvrMigration, ns, name)
	if mig == nil {
		return res, false
	}
	fail := func(reason string) (MigrationResult, bool) {
		s.setMigrationFailed(ctx, source, ns, name, reason)
		res.Status, res.Reason = "Failed", reason
		return res, true
	}
	boolOr := func(k string, def bool) bool {
		if b, ok := path(mig.Object, "spec", k).(bool); ok {
			return b
		}
		return def
	}
	includeResources := boolOr("includeResources", true)
	startApplications := boolOr("startApplications", false)
	includeVolumes := boolOr("includeVolumes", true)
	if at.IsZero() {
		at = time.Now()
	}
	migStart := rfc3339(at)
	err := source.modify(ctx, gvrMigration, ns, name, func(d map[string]any) bool {
		if now := str(d, "status", "status"); now != "" && now != "Pending" {
			res.Status = now // another caller has it, or had it
			return false
		}
		spec := obj(d, "spec")
		for _, kv := range []struct {
			k   string
			def bool
		}{{"includeResources", true}, {"includeVolumes", true}, {"startApplications", false},
			{"purgeDeletedResources", false}, {"skipServiceUpdate", false}, {"includeNetworkPolicyWithCIDR", false},
			{"skipDeletedNamespaces", true}, {"ignoreOwnerReferencesCheck", false}} {
			if v, ok := spec[kv.k]; !ok || v == nil {
				spec[kv.k] = kv.def
			}
		}
		st := obj(d, "status")
		st["status"], st["stage"] = "InProgress", "Applications"
		claimed = true
		return true
	})
	if err != nil || !claimed {
		claimed = false
		return res, false
	}

	schedName := annotation(mig.Object, annScheduleName)
	pair := str(mig.Object, "spec", "clusterPair")
	if pair == "" {
		return fail("clusterPair to migrate to cannot be empty")
	}
	dest, why := s.pairPeer(ctx, source, ns, pair)
	if dest == nil {
		return fail(why)
	}
	if schedName != "" {
		if remote := dest.get(ctx, gvrSchedule, ns, schedName); remote != nil && boolAt(remote.Object, "status", "applicationActivated") {
			return fail("migrated applications are active on remote cluster")
		}
	}
	srcDomain, dstDomain := localDomain(ctx, source), localDomain(ctx, dest)
	if v := s.domainState(ctx, srcDomain); v.known && !v.active {
		return fail("cluster domain " + srcDomain + " of the source cluster is inactive")
	}
	if v := s.domainState(ctx, dstDomain); v.known && !v.active {
		return fail("cluster domain " + dstDomain + " of the destination cluster is inactive")
	}

	var namespaces []string
	if nss, ok := path(mig.Object, "spec", "namespaces").([]any); ok {
		for _, n := range nss {
			if v, ok := n.(string); ok {
				namespaces = append(namespaces, v)
			}
		}
	}
	resources, volumes := []any{}, []any{}
	total, done := 0, 0
	migTime := nameTimeSuffix(at)
	for _, n := range namespaces {
		if source.get(ctx, gvrNamespace, "", n) == nil {
			continue // skipDeletedNamespaces
		}
		ensureNamespace(ctx, source, dest, n)
		if includeVolumes {
			for _, pvc := range source.list(ctx, gvrPVC, n) {
				pvcName := nameOf(pvc.Object)
				if dest.get(ctx, gvrPVC, n, pvcName) == nil {
					cp := deepCopy(pvc.Object)
					stripForMigration(cp) // the API server sets a claim's status itself
					setAnnotation(cp, annMigrated, "true")
					setAnnotation(cp, annMigrationName, name)
					setAnnotation(cp, annMigrationNamespace, ns)
					_ = dest.create(ctx, gvrPVC, n, cp)
				}
				volumes = append(volumes, map[string]any{
					"persistentVolumeClaim": pvcName, "namespace": n, "volume": str(pvc.Object, "spec", "volumeName"),
					"status": "Successful", "reason": "Migration successful for volume", "bytesTotal": int64(0),
				})
			}
		}
		if !includeResources {
			continue
		}
		for _, k := range resourceKinds {
			for _, item := range source.list(ctx, k.gvr, n) {
				o := item.Object
				objName := nameOf(o)
				if k.gvr.Resource == "configmaps" && objName == "kube-root-ca.crt" {
					continue
				}
				if refs, ok := path(o, "metadata", "ownerReferences").([]any); ok && len(refs) > 0 {
					continue
				}
				if k.gvr.Resource == "services" && objName == "kubernetes" && n == "default" {
					continue
				}
				total++
				out := deepCopy(o)
				stripForMigration(out)
				if k.kind == "Deployment" || k.kind == "StatefulSet" {
					prepareApplication(out, startApplications)
				}
				if k.kind == "CronJob" && !startApplications {
					obj(out, "spec")["suspend"] = true
				}
				hash := canonicalHash(out)
				setAnnotation(out, annMigrated, "true")
				setAnnotation(out, annMigrationName, name)
				setAnnotation(out, annMigrationNamespace, ns)
				setAnnotation(out, annMigrationTime, migTime)
				setAnnotation(out, annResourceHash, hash)
				status, reason := "Successful", "Resource migrated successfully"
				existing := dest.get(ctx, k.gvr, n, objName)
				if existing == nil || annotation(existing.Object, annResourceHash) != hash {
					if existing != nil { // delete and re-create, as Stork does
						_ = dest.res(k.gvr, n).Delete(ctx, objName, metav1.DeleteOptions{})
					}
					if err := createRetryingGone(ctx, dest, k.gvr, n, out); err != nil {
						status, reason = "Failed", "Error applying resource: "+err.Error()
					}
				}
				if status == "Successful" {
					done++
				}
				resources = append(resources, map[string]any{
					"name": objName, "namespace": n, "group": k.gvr.Group, "version": "v1", "kind": k.kind,
					"status": status, "reason": reason,
				})
			}
		}
	}
	res.Resources = done
	switch {
	case done == total:
		res.Status = "Successful"
	case done == 0:
		res.Status = "Failed"
	default:
		res.Status = "PartialSuccess"
	}
	if res.Status != "Successful" {
		res.Reason = "some resources failed to migrate"
	}
	finish := time.Now()
	_ = source.modify(ctx, gvrMigration, ns, name, func(d map[string]any) bool {
		st := obj(d, "status")
		st["stage"], st["status"] = "Final", res.Status
		st["resources"], st["volumes"] = resources, volumes
		st["finishTimestamp"] = rfc3339(finish)
		st["volumeMigrationFinishTimestamp"] = migStart
		st["resourceMigrationFinishTimestamp"] = rfc3339(finish)
		st["summary"] = map[string]any{
			"totalNumberOfVolumes": int64(len(volumes)), "numOfMigratedVolumes": int64(len(volumes)),
			"totalNumberOfResources": int64(total), "numOfMigratedResources": int64(done), "totalBytesMigrated": int64(0),
			"elapsedTimeForVolumeMigration":   "0s",
			"elapsedTimeForResourceMigration": fmt.Sprintf("%ds", int64(finish.Sub(parseRfc3339(migStart)).Seconds())),
		}
		return true
	})
	return res, true
}

// createRetryingGone creates an object just deleted: the old one may still be on its way out.
func createRetryingGone(ctx context.Context, c *Cluster, gvr schema.GroupVersionResource, ns string, o map[string]any) error {
	var err error
	for i := 0; i < 50; i++ {
		err = c.create(ctx, gvr, ns, deepCopy(o))
		if err == nil || !strings.Contains(err.Error(), "already exists") {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
	return err
}

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

// ensureClusterDomainsStatus: one ClusterDomainsStatus per cluster, every domain Active, as the
// emulator installs at start.
func (s *Stork) ensureClusterDomainsStatus(ctx context.Context, c *Cluster) error {
	l, err := c.res(gvrCDS, "").List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	if len(l.Items) > 0 {
		return nil
	}
	infos := []any{}
	for _, o := range s.Clusters {
		infos = append(infos, map[string]any{"name": o.Name, "state": "Active", "syncStatus": "InSync"})
	}
	d := map[string]any{
		"apiVersion": storkGroup + "/v1alpha1", "kind": "ClusterDomainsStatus",
		"metadata": map[string]any{"name": "px-dr-cluster"},
		"status":   map[string]any{"localDomain": c.Name, "clusterDomainInfos": infos},
	}
	return c.create(ctx, gvrCDS, "", d)
}

// processClusterDomainUpdate flips a domain's state in every cluster's ClusterDomainsStatus.
func (s *Stork) processClusterDomainUpdate(ctx context.Context, origin *Cluster, name string) {
	cdu := origin.get(ctx, gvrCDU, "", name)
	if cdu == nil || str(cdu.Object, "status", "status") != "" || str(cdu.Object, "metadata", "deletionTimestamp") != "" {
		return
	}
	domain := str(cdu.Object, "spec", "clusterdomain")
	activate := boolAt(cdu.Object, "spec", "active")
	action := "deactivate"
	state := "Inactive"
	if activate {
		action, state = "activate", "Active"
	}
	status, reason := "Successful", ""
	if !s.domainState(ctx, domain).known {
		status, reason = "Failed", "unable to "+action+" cluster domain: cluster domain "+domain+" not found"
	} else {
		for _, c := range s.Clusters {
			for _, d := range c.list(ctx, gvrCDS, "") {
				_ = c.modify(ctx, gvrCDS, "", nameOf(d.Object), func(doc map[string]any) bool {
					infos, ok := path(doc, "status", "clusterDomainInfos").([]any)
					if !ok {
						return false
					}
					allActive := true
					for _, i := range infos {
						m, _ := i.(map[string]any)
						if m == nil {
							continue
						}
						if str(m, "name") == domain {
							m["state"] = state
						}
						if str(m, "state") == "Inactive" {
							allActive = false
						}
					}
					// Portworx cannot tell the sync state while a domain is out; it resyncs when all are back.
					for _, i := range infos {
						if m, _ := i.(map[string]any); m != nil {
							if allActive {
								m["syncStatus"] = "InSync"
							} else {
								m["syncStatus"] = "SyncStatusUnknown"
							}
						}
					}
					return true
				})
			}
		}
	}
	_ = origin.modify(ctx, gvrCDU, "", name, func(d map[string]any) bool {
		st := obj(d, "status")
		st["status"] = status
		if reason != "" {
			st["reason"] = reason
		}
		return true
	})
	if reason != "" {
		if d := origin.get(ctx, gvrCDU, "", name); d != nil {
			recordEvent(ctx, origin, "", d.Object, "Warning", "Failed", reason)
		}
	}
}
