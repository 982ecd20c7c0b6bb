package main

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
)

// The annotations and labels Stork uses (tests/emulator/src/sim_util.hpp has the same list).
const (
	annReplicas           = "stork.libopenstorage.org/migrationReplicas"
	annMigrated           = "stork.libopenstorage.org/migrated"
	annMigrationName      = "stork.libopenstorage.org/migrationName"
	annMigrationNamespace = "stork.libopenstorage.org/migrationNamespace"
	annMigrationTime      = "stork.libopenstorage.org/migrationTime"
	annResourceHash       = "stork.libopenstorage.org/resource-hash"
	annStaticCopy         = "stork.libopenstorage.org/static-copy"
	annScheduleName       = "stork.libopenstorage.org/migration-schedule-name"
	storkGroup            = "stork.libopenstorage.org"
)

func stork(plural string) schema.GroupVersionResource {
	return schema.GroupVersionResource{Group: storkGroup, Version: "v1alpha1", Resource: plural}
}

var (
	gvrCDU       = stork("clusterdomainupdates")
	gvrCDS       = stork("clusterdomainsstatuses")
	gvrMigration = stork("migrations")
	gvrSchedule  = stork("migrationschedules")
	gvrPolicy    = stork("schedulepolicies")
	gvrPair      = stork("clusterpairs")
	gvrNamespace = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
	gvrPVC       = schema.GroupVersionResource{Version: "v1", Resource: "persistentvolumeclaims"}
	gvrEvent     = schema.GroupVersionResource{Version: "v1", Resource: "events"}
)

// The kinds a Migration copies, as in the emulator's kResourceKinds.
var resourceKinds = []struct {
	gvr  schema.GroupVersionResource
	kind string
}{
	{schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}, "ConfigMap"},
	{schema.GroupVersionResource{Version: "v1", Resource: "services"}, "Service"},
	{schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}, "Deployment"},
	{schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "statefulsets"}, "StatefulSet"},
	{schema.GroupVersionResource{Group: "batch", Version: "v1", Resource: "cronjobs"}, "CronJob"},
}

// Cluster is one API server, named as its kubeconfig context.
type Cluster struct {
	Name string
	Dyn  dynamic.Interface
}

func (c *Cluster) res(gvr schema.GroupVersionResource, ns string) dynamic.ResourceInterface {
	if ns == "" {
		return c.Dyn.Resource(gvr)
	}
	return c.Dyn.Resource(gvr).Namespace(ns)
}

// get returns nil when the object does not exist (or the type is not served).
func (c *Cluster) get(ctx context.Context, gvr schema.GroupVersionResource, ns, name string) *unstructured.Unstructured {
	o, err := c.res(gvr, ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil
	}
	return o
}

// list returns the objects of a type, nil when the type is not served.
func (c *Cluster) list(ctx context.Context, gvr schema.GroupVersionResource, ns string) []unstructured.Unstructured {
	l, err := c.res(gvr, ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil
	}
	return l.Items
}

func (c *Cluster) serves(ctx context.Context, gvr schema.GroupVersionResource) bool {
	_, err := c.res(gvr, "").List(ctx, metav1.ListOptions{Limit: 1})
	return err == nil
}

// modify is the emulator's modifyObject over REST: read, change, write back; retried on a
// conflict. fn returns false to leave the object alone.
func (c *Cluster) modify(ctx context.Context, gvr schema.GroupVersionResource, ns, name string, fn func(o map[string]any) bool) error {
	for attempt := 0; ; attempt++ {
		o, err := c.res(gvr, ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if !fn(o.Object) {
			return nil
		}
		_, err = c.res(gvr, ns).Update(ctx, o, metav1.UpdateOptions{FieldManager: "stork"})
		if err == nil || !apierrors.IsConflict(err) || attempt >= 10 {
			return err
		}
	}
}

func (c *Cluster) create(ctx context.Context, gvr schema.GroupVersionResource, ns string, o map[string]any) error {
	_, err := c.res(gvr, ns).Create(ctx, &unstructured.Unstructured{Object: o}, metav1.CreateOptions{FieldManager: "stork"})
	return err
}

// --- JSON helpers over unstructured maps ---

func path(o any, keys ...string) any {
	for _, k := range keys {
		m, ok := o.(map[string]any)
		if !ok {
			return nil
		}
		o = m[k]
	}
	return o
}

func str(o any, keys ...string) string {
	s, _ := path(o, keys...).(string)
	return s
}

func boolAt(o any, keys ...string) bool {
	b, _ := path(o, keys...).(bool)
	return b
}

// intAt reads a JSON number; def when absent or not a number.
func intAt(o any, def int64, keys ...string) int64 {
	switch v := path(o, keys...).(type) {
	case int64:
		return v
	case int:
		return int64(v)
	case float64:
		return int64(v)
	case json.Number:
		n, err := v.Int64()
		if err == nil {
			return n
		}
	}
	return def
}

// obj returns m[k] as an object, creating it (or replacing a non-object) when needed.
func obj(m map[string]any, k string) map[string]any {
	if v, ok := m[k].(map[string]any); ok {
		return v
	}
	v := map[string]any{}
	m[k] = v
	return v
}

func annotation(o map[string]any, k string) string { return str(o, "metadata", "annotations", k) }
func setAnnotation(o map[string]any, k, v string)  { obj(obj(o, "metadata"), "annotations")[k] = v }
func setLabel(o map[string]any, k, v string)       { obj(obj(o, "metadata"), "labels")[k] = v }
func nameOf(o map[string]any) string               { return str(o, "metadata", "name") }
func namespaceOf(o map[string]any) string          { return str(o, "metadata", "namespace") }

func deepCopy(o map[string]any) map[string]any {
	return (&unstructured.Unstructured{Object: o}).DeepCopy().Object
}

func rfc3339(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

func parseRfc3339(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Unix(0, 0)
	}
	return t
}

// nameTimeSuffix: %Y-%m-%d-%H%M%S, as Stork names scheduled migrations.
func nameTimeSuffix(t time.Time) string { return t.UTC().Format("2006-01-02-150405") }

// canonicalHash: a stable identity of a prepared object (encoding/json sorts map keys).
func canonicalHash(v any) string {
	b, _ := json.Marshal(v)
	h := fnv.New64a()
	h.Write(b)
	return strconv.FormatUint(h.Sum64(), 10)
}

func isComplete(status string) bool {
	return status != "Pending" && status != "InProgress" && status != ""
}

func lower(s string) string { return strings.ToLower(s) }

func errorf(format string, a ...any) error { return fmt.Errorf(format, a...) }
