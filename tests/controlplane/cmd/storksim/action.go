// Stork's Action controller over REST: the same stage machine as the emulator's
// (tests/emulator/src/sim_stork_action.cpp), one step per reconcile. Failover runs in the cluster
// taking over, its source the peer its ClusterPair names; failback in the cluster running the apps.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

type schemaGVR = schema.GroupVersionResource

var (
	gvrAction = stork("actions")
	nowFunc   = time.Now
)

func isNotFound(err error) bool { return apierrors.IsNotFound(err) }

const (
	annReplicasDocs      = "stork.openstorage.org/migrationReplicas"
	annScaleDownChecks   = "emulator.kubectl-dr.io/scale-down-checks"
	maxScaleDownChecks   = 600
	actionStageFinal     = "Final"
	actionStatusSuccess  = "Successful"
	actionStatusFailed   = "Failed"
	actionStatusProgress = "In-Progress"
)

var scaledKinds = []string{"deployments", "statefulsets"}

func appsGVR(plural string) (gvr schemaGVR) {
	return schemaGVR{Group: "apps", Version: "v1", Resource: plural}
}

// recordedCount is a valid recorded count in either spelling (the library's first), or -1.
func recordedCount(o map[string]any) int64 {
	for _, k := range []string{annReplicas, annReplicasDocs} {
		if text := annotation(o, k); text != "" {
			if v, err := strconv.ParseInt(text, 10, 64); err == nil && v >= 0 && v <= 1000000 {
				return v
			}
		}
	}
	return -1
}

type actionRun struct {
	s                    *Stork
	c                    *Cluster
	ns, name             string
	failover, skipSource bool
	schedule             string
	namespaces           []string
	stage, status        string
	checks               int
}

func (r *actionRun) word() string {
	if r.failover {
		return "failover"
	}
	return "failback"
}

func (r *actionRun) update(ctx context.Context, stage, status, reason string, finished bool, summary map[string]any, checks int) {
	_ = r.c.modify(ctx, gvrAction, r.ns, r.name, func(d map[string]any) bool {
		st := obj(d, "status")
		st["stage"], st["status"], st["reason"] = stage, status, reason
		if finished {
			st["finishTimestamp"] = rfc3339(nowFunc())
		}
		if summary != nil {
			st["summary"] = summary
		}
		if checks >= 0 {
			setAnnotation(d, annScaleDownChecks, strconv.Itoa(checks))
		}
		return true
	})
}

func (r *actionRun) succeed(ctx context.Context) {
	r.update(ctx, r.stage, actionStatusSuccess, "", false, nil, -1)
}
func (r *actionRun) fail(ctx context.Context, reason string) {
	r.update(ctx, r.stage, actionStatusFailed, reason, false, nil, -1)
}
func (r *actionRun) moveTo(ctx context.Context, stage, reason string) {
	r.update(ctx, stage, "", reason, true, nil, -1)
}

func (r *actionRun) peer(ctx context.Context) (*Cluster, string) {
	ms := r.c.get(ctx, gvrSchedule, r.ns, r.schedule)
	if ms == nil {
		return nil, "Error fetching the MigrationSchedule " + r.ns + "/" + r.schedule
	}
	pair := str(ms.Object, "spec", "template", "spec", "clusterPair")
	p, why := r.s.pairPeer(ctx, r.c, r.ns, pair)
	if p == nil {
		return nil, "Error fetching the ClusterPair " + r.ns + "/" + pair + ": " + why
	}
	return p, ""
}

// step is one reconcile; true while there is more to do.
func (r *actionRun) step(ctx context.Context) bool {
	if r.stage == actionStageFinal {
		return false
	}
	if r.status == actionStatusSuccess || r.status == actionStatusFailed {
		return r.advance(ctx)
	}
	if r.status == "" {
		r.status = actionStatusProgress
		if r.stage == "" {
			r.status = "Scheduled"
		}
		r.update(ctx, r.stage, r.status, "", false, nil, -1)
	}
	switch r.stage {
	case "":
		r.validate(ctx)
	case "ScaleDownSource", "ScaleDownDestination":
		r.scaleDown(ctx)
	case "WaitAfterScaleDown":
		r.waitScaleDown(ctx)
	case "LastMileMigration":
		r.lastMile(ctx)
	case "ScaleUpDestination":
		r.scaleUp(ctx, r.c, !r.failover)
	case "ScaleUpSource":
		r.scaleUp(ctx, nil, r.failover)
	default:
		r.fail(ctx, "unknown stage "+r.stage)
	}
	return true
}

func (r *actionRun) advance(ctx context.Context) bool {
	ok := r.status == actionStatusSuccess
	pick := func(yes, no string) string {
		if ok {
			return yes
		}
		return no
	}
	rollback := "ScaleUpDestination"
	up := "ScaleUpSource"
	if r.failover {
		rollback, up = "ScaleUpSource", "ScaleUpDestination"
	}
	switch r.stage {
	case "":
		down := "ScaleDownDestination"
		if r.failover {
			down = "ScaleDownSource"
		}
		r.moveTo(ctx, pick(down, actionStageFinal), "")
	case "ScaleDownSource", "ScaleDownDestination":
		r.moveTo(ctx, pick("WaitAfterScaleDown", actionStageFinal), "")
	case "WaitAfterScaleDown":
		r.moveTo(ctx, pick("LastMileMigration", rollback), "")
	case "LastMileMigration":
		r.moveTo(ctx, pick(up, rollback), "")
	default:
		status := r.status
		if r.stage == rollback {
			status = actionStatusFailed // a rollback fails the Action whatever it did
		}
		r.update(ctx, actionStageFinal, status, "", true, nil, -1)
		return false
	}
	return true
}

func latestMigrationStatus(schedule map[string]any) string {
	latestTime, latestStatus := "", ""
	items, _ := path(schedule, "status", "items").(map[string]any)
	for _, list := range items {
		entries, _ := list.([]any)
		for _, e := range entries {
			if t := str(e, "creationTimestamp"); t >= latestTime {
				latestTime, latestStatus = t, str(e, "status")
			}
		}
	}
	return latestStatus
}

func (r *actionRun) validate(ctx context.Context) {
	what := r.ns + "/" + r.schedule
	ms := r.c.get(ctx, gvrSchedule, r.ns, r.schedule)
	if ms == nil {
		r.fail(ctx, "Error fetching the MigrationSchedule "+what+" for "+r.word())
		return
	}
	if r.failover && annotation(ms.Object, annStaticCopy) != "true" {
		r.fail(ctx, "The provided MigrationSchedule "+what+" is not created by Stork. Please ensure that the failover "+
			"is initiated in the cluster you want to failover to")
		return
	}
	if r.failover && r.skipSource {
		r.moveTo(ctx, "ScaleUpDestination", "Skipping source cluster operations and moving to the Failover "+
			"ScaleUpDestinationStage since SkipSourceOperations is set to true")
		return
	}
	if !r.failover {
		if latest := latestMigrationStatus(ms.Object); latest != "Successful" && latest != "PartialSuccess" {
			r.fail(ctx, "The latest migration of the MigrationSchedule "+what+" is not successful ("+latest+
				"); failback needs a successful one")
			return
		}
	}
	remote, why := r.peer(ctx)
	if remote == nil {
		r.fail(ctx, why)
		return
	}
	owner := r.c
	if r.failover {
		owner = remote
	}
	src := owner.get(ctx, gvrSchedule, r.ns, r.schedule)
	if src == nil {
		r.fail(ctx, "Error fetching the MigrationSchedule "+what+" in the remote cluster")
		return
	}
	if !boolAt(src.Object, "spec", "suspend") {
		_ = owner.modify(ctx, gvrSchedule, r.ns, r.schedule, func(d map[string]any) bool {
			obj(d, "spec")["suspend"] = true
			return true
		})
	}
	if latest := latestMigrationStatus(src.Object); latest == "Pending" || latest == "InProgress" {
		return // waits for it: reconciled again
	}
	r.succeed(ctx)
}

func (r *actionRun) clusters(ctx context.Context) (up, down *Cluster, ok bool) {
	remote, why := r.peer(ctx)
	if remote == nil {
		r.fail(ctx, why)
		return nil, nil, false
	}
	if r.failover {
		return r.c, remote, true
	}
	return remote, r.c, true
}

func (r *actionRun) scaleDown(ctx context.Context) {
	up, down, ok := r.clusters(ctx)
	if !ok {
		return
	}
	for _, n := range r.namespaces {
		for _, plural := range scaledKinds {
			for _, item := range up.list(ctx, appsGVR(plural), n) {
				if recordedCount(item.Object) < 0 {
					continue
				}
				err := down.modify(ctx, appsGVR(plural), n, nameOf(item.Object), func(d map[string]any) bool {
					live, kept := intAt(d, 1, "spec", "replicas"), recordedCount(d)
					if live == 0 && kept > 0 {
						return false
					}
					if live <= 0 {
						live = max(kept, 0)
					}
					setAnnotation(d, annReplicas, strconv.FormatInt(live, 10))
					obj(d, "spec")["replicas"] = int64(0)
					return true
				})
				if err != nil && !isNotFound(err) {
					r.fail(ctx, "Failed to scale down replicas in cluster "+down.Name+" : "+err.Error())
					return
				}
			}
		}
		cj := schemaGVR{Group: "batch", Version: "v1", Resource: "cronjobs"}
		for _, item := range up.list(ctx, cj, n) {
			if annotation(item.Object, annMigrated) == "true" {
				_ = down.modify(ctx, cj, n, nameOf(item.Object), func(d map[string]any) bool {
					obj(d, "spec")["suspend"] = true
					return true
				})
			}
		}
	}
	setApplicationActivated(ctx, down, r.ns, r.namespaces, false)
	r.succeed(ctx)
}

func (r *actionRun) waitScaleDown(ctx context.Context) {
	up, down, ok := r.clusters(ctx)
	if !ok {
		return
	}
	var left int64
	for _, n := range r.namespaces {
		for _, plural := range scaledKinds {
			for _, item := range up.list(ctx, appsGVR(plural), n) {
				if recordedCount(item.Object) < 0 {
					continue
				}
				if there := down.get(ctx, appsGVR(plural), n, nameOf(item.Object)); there != nil {
					left += intAt(there.Object, 0, "status", "replicas")
				}
			}
		}
	}
	switch {
	case left == 0:
		r.succeed(ctx)
	case r.checks >= maxScaleDownChecks:
		r.fail(ctx, "Timed out waiting for the apps to scale down in cluster "+down.Name)
	default:
		r.update(ctx, r.stage, r.status, "Waiting for "+strconv.FormatInt(left, 10)+" pods to terminate", false, nil,
			r.checks+1)
	}
}

func randomHex(n int) string {
	b := make([]byte, (n+1)/2)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)[:n]
}

func (r *actionRun) lastMile(ctx context.Context) {
	_, down, ok := r.clusters(ctx)
	if !ok {
		return
	}
	ms := down.get(ctx, gvrSchedule, r.ns, r.schedule)
	if ms == nil {
		r.fail(ctx, "Error fetching the MigrationSchedule "+r.ns+"/"+r.schedule)
		return
	}
	name := r.schedule + "-lastmile-" + r.word() + "-" + randomHex(4)
	spec := deepCopy(obj(obj(obj(ms.Object, "spec"), "template"), "spec"))
	spec["startApplications"] = false
	nss := make([]any, 0, len(r.namespaces))
	for _, n := range r.namespaces {
		nss = append(nss, n)
	}
	spec["namespaces"] = nss
	m := map[string]any{
		"apiVersion": storkGroup + "/v1alpha1", "kind": "Migration",
		"metadata": map[string]any{"name": name, "namespace": r.ns,
			"annotations": map[string]any{annScheduleName: r.schedule}},
		"spec": spec,
	}
	if err := down.create(ctx, gvrMigration, r.ns, m); err != nil {
		r.fail(ctx, "Failed to create the last mile migration: "+err.Error())
		return
	}
	res, _ := r.s.runMigration(ctx, down, r.ns, name, time.Time{})
	if res.Status == "Successful" || res.Status == "PartialSuccess" {
		r.succeed(ctx)
		return
	}
	reason := "Last mile migration " + r.ns + "/" + name + " " + res.Status
	if res.Reason != "" {
		reason += ": " + res.Reason
	}
	r.fail(ctx, reason)
}

func scaleUpNamespace(ctx context.Context, c *Cluster, n string) string {
	failure := ""
	for _, plural := range scaledKinds {
		for _, item := range c.list(ctx, appsGVR(plural), n) {
			count := recordedCount(item.Object)
			if count < 0 || intAt(item.Object, 1, "spec", "replicas") == count {
				continue
			}
			if err := c.modify(ctx, appsGVR(plural), n, nameOf(item.Object), func(d map[string]any) bool {
				obj(d, "spec")["replicas"] = count
				return true
			}); err != nil {
				failure = "scaling " + nameOf(item.Object) + ": " + err.Error()
			}
		}
	}
	cj := schemaGVR{Group: "batch", Version: "v1", Resource: "cronjobs"}
	for _, item := range c.list(ctx, cj, n) {
		if annotation(item.Object, annMigrated) == "true" && boolAt(item.Object, "spec", "suspend") {
			_ = c.modify(ctx, cj, n, nameOf(item.Object), func(d map[string]any) bool {
				obj(d, "spec")["suspend"] = false
				return true
			})
		}
	}
	return failure
}

func setApplicationActivated(ctx context.Context, c *Cluster, ns string, namespaces []string, activated bool) {
	for _, ms := range c.list(ctx, gvrSchedule, "") {
		if activated && annotation(ms.Object, annStaticCopy) != "true" {
			continue
		}
		relevant := namespaceOf(ms.Object) == ns
		migrated, _ := path(ms.Object, "spec", "template", "spec", "namespaces").([]any)
		for _, m := range migrated {
			for _, n := range namespaces {
				if m == n {
					relevant = true
				}
			}
		}
		if !relevant || boolAt(ms.Object, "status", "applicationActivated") == activated {
			continue
		}
		_ = c.modify(ctx, gvrSchedule, namespaceOf(ms.Object), nameOf(ms.Object), func(d map[string]any) bool {
			obj(d, "status")["applicationActivated"] = activated
			return true
		})
	}
}

func (r *actionRun) scaleUp(ctx context.Context, target *Cluster, rollback bool) {
	if target == nil {
		p, why := r.peer(ctx)
		if p == nil {
			r.fail(ctx, why)
			return
		}
		target = p
	}
	items := []any{}
	allOK := true
	activated := []string{}
	for _, n := range r.namespaces {
		status, reason := "Successful", "scaling up apps in namespace "+n+" successful"
		if rollback {
			status = "RollbackSuccessful"
		}
		if err := scaleUpNamespace(ctx, target, n); err != "" {
			allOK = false
			status, reason = "Failed", "scaling up apps in namespace "+n+" failed: "+err
			if rollback {
				status = "RollbackFailed"
			}
		} else {
			activated = append(activated, n)
		}
		items = append(items, map[string]any{"namespace": n, "status": status, "reason": reason})
	}
	key := "failbackSummary"
	if r.failover {
		key = "failoverSummary"
	}
	if allOK && !rollback {
		setApplicationActivated(ctx, target, r.ns, activated, true)
	}
	status := actionStatusSuccess
	if !allOK {
		status = actionStatusFailed
	}
	r.update(ctx, r.stage, status, "", false, map[string]any{key: items}, -1)
}

// reconcileAction is one reconcile of an Action; true while it has more to do.
func (s *Stork) reconcileAction(ctx context.Context, c *Cluster, ns, name string) bool {
	a := c.get(ctx, gvrAction, ns, name)
	if a == nil || str(a.Object, "metadata", "deletionTimestamp") != "" {
		return false
	}
	o := a.Object
	typ := str(o, "spec", "actionType")
	if typ != "failover" && typ != "failback" {
		r := &actionRun{s: s, c: c, ns: ns, name: name}
		r.update(ctx, actionStageFinal, actionStatusFailed, "unsupported actionType \""+typ+"\"", true, nil, -1)
		return false
	}
	param, list := "failbackParameter", "failbackNamespaces"
	if typ == "failover" {
		param, list = "failoverParameter", "failoverNamespaces"
	}
	r := &actionRun{s: s, c: c, ns: ns, name: name, failover: typ == "failover",
		skipSource: boolAt(o, "spec", "actionParameter", param, "skipSourceOperations"),
		schedule:   str(o, "spec", "actionParameter", param, "migrationScheduleReference"),
		stage:      str(o, "status", "stage"), status: str(o, "status", "status")}
	if nss, ok := path(o, "spec", "actionParameter", param, list).([]any); ok {
		for _, n := range nss {
			if s, ok := n.(string); ok {
				r.namespaces = append(r.namespaces, s)
			}
		}
	}
	r.checks, _ = strconv.Atoi(annotation(o, annScaleDownChecks))
	return r.step(ctx)
}
