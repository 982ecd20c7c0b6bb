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
				// The resource collector leaves out what asks to be left out (and the older spelling).
				if annotation(o, "stork.libopenstorage.org/skip-resource") == "true" ||
					annotation(o, "stork.libopenstorage.org/skipresource") == "true" {
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
