// Command storksim runs the Stork behaviours the DR runbook depends on against real API servers,
// over REST and watch: ClusterDomainUpdates, Migrations, MigrationSchedules. One process for every
// cluster of the kubeconfig (one Portworx cluster spans them), as the emulator's StorkController.
//
//	storksim --kubeconfig FILE --contexts a,b [--minutes-as-seconds] [--admin-addr 127.0.0.1:0 --admin-file F]
//
// The admin endpoint (POST /migrate?cluster=C {"namespace":NS,"schedule":NAME}) is the emulator's
// POST /emulator/sim/migrate: a migration of that schedule now, answered with its outcome.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/clientcmd"
)

type key struct {
	c        *Cluster
	ns, name string
}

type controller struct {
	s                           *Stork
	mu                          sync.Mutex
	wake                        chan struct{}
	cdus, migrations, schedules map[key]bool
	actions, activeActions      map[key]bool
	active                      map[key]bool
	rescan                      bool
	passMu                      sync.Mutex // one pass at a time (the admin endpoint runs passes too)
}

func (k *controller) signal() {
	select {
	case k.wake <- struct{}{}:
	default:
	}
}

func (k *controller) onEvent(c *Cluster, plural string, e watch.Event) {
	if e.Type == watch.Deleted || e.Type == watch.Error {
		return
	}
	m, ok := e.Object.(interface{ UnstructuredContent() map[string]any })
	if !ok {
		return
	}
	o := m.UnstructuredContent()
	kk := key{c, namespaceOf(o), nameOf(o)}
	k.mu.Lock()
	switch plural {
	case "clusterdomainupdates":
		k.cdus[kk] = true
	case "migrations":
		k.migrations[kk] = true
	case "migrationschedules":
		k.schedules[kk] = true
	case "actions":
		k.actions[kk] = true
	default:
		k.rescan = true
	}
	k.mu.Unlock()
	k.signal()
}

// watchLoop keeps one watch open on a Stork type; after any break it asks for a full rescan.
func (k *controller) watchLoop(ctx context.Context, c *Cluster, plural string) {
	gvr := stork(plural)
	for ctx.Err() == nil {
		w, err := c.Dyn.Resource(gvr).Watch(ctx, metav1.ListOptions{})
		if err == nil {
			for e := range w.ResultChan() {
				k.onEvent(c, plural, e)
			}
			w.Stop()
		}
		k.mu.Lock()
		k.rescan = true
		k.mu.Unlock()
		k.signal()
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

func (k *controller) scan(ctx context.Context) {
	found := map[string][]key{}
	for _, c := range k.s.Clusters {
		for _, plural := range []string{"clusterdomainupdates", "migrations", "migrationschedules", "actions"} {
			for _, o := range c.list(ctx, stork(plural), "") {
				found[plural] = append(found[plural], key{c, namespaceOf(o.Object), nameOf(o.Object)})
			}
		}
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	for plural, keys := range found {
		set := map[string]map[key]bool{"clusterdomainupdates": k.cdus, "migrations": k.migrations,
			"migrationschedules": k.schedules, "actions": k.actions}[plural]
		for _, x := range keys {
			set[x] = true
		}
	}
}

func (k *controller) run(ctx context.Context, period time.Duration) {
	k.mu.Lock()
	k.rescan = true
	k.mu.Unlock()
	for ctx.Err() == nil {
		k.mu.Lock()
		if k.rescan {
			k.rescan = false
			k.mu.Unlock()
			k.scan(ctx)
			k.mu.Lock()
		}
		cdus, migrations := k.cdus, k.migrations
		schedules := map[key]bool{}
		for x := range k.active {
			schedules[x] = true
		}
		for x := range k.schedules {
			schedules[x] = true
		}
		actions := k.actions
		for x := range k.activeActions {
			actions[x] = true
		}
		k.cdus, k.migrations, k.schedules, k.actions = map[key]bool{}, map[key]bool{}, map[key]bool{}, map[key]bool{}
		k.mu.Unlock()

		k.passMu.Lock()
		for x := range cdus {
			k.s.processClusterDomainUpdate(ctx, x.c, x.name)
		}
		for x := range migrations {
			if m := x.c.get(ctx, gvrMigration, x.ns, x.name); m != nil && !isComplete(str(m.Object, "status", "status")) {
				k.s.runMigration(ctx, x.c, x.ns, x.name, time.Time{})
			}
		}
		still := map[key]bool{}
		for x := range schedules {
			if _, active := k.s.reconcileSchedule(ctx, x.c, x.ns, x.name, time.Now()); active {
				still[x] = true
			}
		}
		actionsLeft := map[key]bool{}
		for x := range actions {
			if k.s.reconcileAction(ctx, x.c, x.ns, x.name) {
				actionsLeft[x] = true
			}
		}
		k.passMu.Unlock()
		k.mu.Lock()
		k.active = still
		k.activeActions = actionsLeft
		k.mu.Unlock()
		select {
		case <-ctx.Done():
		case <-k.wake:
		case <-time.After(period):
		}
	}
}

// migrateNow is the emulator's migrateNow (sim_controllers.cpp).
func (k *controller) migrateNow(ctx context.Context, c *Cluster, ns, name string) (int, map[string]any) {
	ms := c.get(ctx, gvrSchedule, ns, name)
	if ms == nil {
		return 404, map[string]any{"error": "no such MigrationSchedule"}
	}
	k.passMu.Lock()
	mig := k.s.startMigration(ctx, c, ms.Object, "Interval", time.Now())
	res, _ := k.s.runMigration(ctx, c, ns, mig, time.Time{})
	k.passMu.Unlock()
	if res.Status == "" || res.Status == "InProgress" || res.Status == "Pending" {
		deadline := time.Now().Add(60 * time.Second)
		for time.Now().Before(deadline) {
			if m := c.get(ctx, gvrMigration, ns, mig); m != nil && isComplete(str(m.Object, "status", "status")) {
				res.Status = str(m.Object, "status", "status")
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	k.passMu.Lock()
	k.s.reconcileSchedule(ctx, c, ns, name, time.Now())
	k.passMu.Unlock()
	return 200, map[string]any{"migration": mig, "status": res.Status, "reason": res.Reason, "resources": res.Resources}
}

func main() {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig with one context per cluster")
	contexts := flag.String("contexts", "", "the clusters (kubeconfig contexts), comma-separated")
	minutes := flag.Bool("minutes-as-seconds", os.Getenv("KUBE_EMULATOR_MINUTES_AS_SECONDS") == "true", "schedule intervals in seconds (tests)")
	adminAddr := flag.String("admin-addr", "127.0.0.1:0", "admin endpoint address")
	adminFile := flag.String("admin-file", "", "write the admin endpoint's URL to this file")
	period := flag.Duration("period", 200*time.Millisecond, "how often active schedules are reconciled")
	flag.Parse()
	if *kubeconfig == "" || *contexts == "" {
		fmt.Fprintln(os.Stderr, "storksim: --kubeconfig and --contexts are required")
		os.Exit(2)
	}
	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer cancel()

	s := &Stork{MinutesAsSeconds: *minutes}
	for _, name := range strings.Split(*contexts, ",") {
		cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
			&clientcmd.ClientConfigLoadingRules{ExplicitPath: *kubeconfig},
			&clientcmd.ConfigOverrides{CurrentContext: name}).ClientConfig()
		if err != nil {
			fmt.Fprintln(os.Stderr, "storksim:", err)
			os.Exit(1)
		}
		cfg.QPS, cfg.Burst = 200, 400
		cfg.UserAgent = "stork-sim"
		dyn, err := dynamic.NewForConfig(cfg)
		if err != nil {
			fmt.Fprintln(os.Stderr, "storksim:", err)
			os.Exit(1)
		}
		s.Clusters = append(s.Clusters, &Cluster{Name: name, Dyn: dyn})
	}
	for _, c := range s.Clusters {
		if err := s.ensureClusterDomainsStatus(ctx, c); err != nil {
			fmt.Fprintln(os.Stderr, "storksim: ClusterDomainsStatus on", c.Name+":", err)
			os.Exit(1)
		}
	}
	k := &controller{s: s, wake: make(chan struct{}, 1), cdus: map[key]bool{}, migrations: map[key]bool{},
		schedules: map[key]bool{}, active: map[key]bool{}, actions: map[key]bool{}, activeActions: map[key]bool{}}
	for _, c := range s.Clusters {
		for _, p := range []string{"clusterdomainupdates", "migrations", "migrationschedules", "actions",
			"clusterdomainsstatuses", "schedulepolicies", "clusterpairs"} {
			go k.watchLoop(ctx, c, p)
		}
	}

	ln, err := net.Listen("tcp", *adminAddr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "storksim:", err)
		os.Exit(1)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/migrate", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		reply := func(code int, v any) {
			w.WriteHeader(code)
			_ = json.NewEncoder(w).Encode(v)
		}
		if r.Method != http.MethodPost {
			reply(405, map[string]any{"error": "use POST"})
			return
		}
		c := s.find(r.URL.Query().Get("cluster"))
		if c == nil {
			reply(404, map[string]any{"error": "no such cluster"})
			return
		}
		var req struct{ Namespace, Schedule string }
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &req); err != nil {
			reply(400, map[string]any{"error": err.Error()})
			return
		}
		code, v := k.migrateNow(r.Context(), c, req.Namespace, req.Schedule)
		reply(code, v)
	})
	srv := &http.Server{Handler: mux}
	go func() { _ = srv.Serve(ln) }()
	if *adminFile != "" {
		_ = os.WriteFile(*adminFile, []byte("http://"+ln.Addr().String()+"\n"), 0o644)
	}
	k.run(ctx, *period)
	_ = srv.Close()
}

var _ = schema.GroupVersionResource{}
