#!/usr/bin/env bash
# A real Kubernetes control plane as a test fixture, with kube-emulator's interface.
#
#   scripts/control-plane.sh --clusters NAME[,NAME...] --state-dir DIR [--seed NAME[:ARG]]
#                            [--no-stork] [--minutes-as-seconds] [--apiserver-only] [--emulator PATH]
#   scripts/control-plane.sh build      builds (or finds, cached) the binaries; prints their directory
#
# Per cluster: kube-apiserver (TLS on 127.0.0.1, RBAC), kube-controller-manager, kube-scheduler and
# kwok (3 fake nodes; pods of Deployments and StatefulSets become Running and Ready without a
# kubelet), all upstream code from the versions pinned in tests/controlplane/go.mod, built into one
# multi-call binary. One etcd serves every cluster, each under its own key prefix. One process,
# storksim (tests/controlplane/cmd/storksim), plays Stork for all clusters, as the emulator's
# simulation does. Stork's CRDs and the seeds come from kube-emulator itself (its --snapshot of the
# same clusters after the same --seed), so both backends start from the same objects.
#
# --apiserver-only: etcd and the API servers with the seed, nothing else (no controller-manager,
# scheduler, kwok nodes, seeded volumes or storksim): for benchmarks of API traffic
# (scripts/bench-real.sh), where pods for thousands of activated workloads would only compete for
# the CPU being measured. Nothing reconciles there: workloads keep no status, Stork does not run.
#
# Prints one JSON line once every cluster is ready, as kube-emulator does:
#   {"kubeconfig":"DIR/kubeconfig","state_dir":"DIR","clusters":{"NAME":{"port":N,"server":"https://127.0.0.1:N"}},"seed_ms":N}
# then serves until SIGTERM or SIGINT and stops every process it started. DIR holds ca.crt,
# admin.crt, admin.key (a system:masters client), the kubeconfig (one context per cluster, named
# after it), storksim.url (the Stork simulation's admin endpoint), logs/ and pids/ (one file per
# component, named as its log, holding its process id: what a benchmark reads CPU time from).
#
# Environment: DR_CONTROLPLANE_BUILD_DIR (default build-controlplane/ in the repository), GO (the go
# binary; default: go on PATH, else /usr/local/go/bin/go), KUBE_EMULATOR (the emulator binary, for
# the seeds and the CRDs; default: build*/tests/emulator/kube-emulator), DR_CONTROLPLANE_TIMEOUT
# (seconds to wait for readiness, default 300).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
module="$root/tests/controlplane"
build_root="${DR_CONTROLPLANE_BUILD_DIR:-$root/build-controlplane}"
timeout_s="${DR_CONTROLPLANE_TIMEOUT:-300}"

die() { echo "control-plane: $*" >&2; exit 2; }

find_go() {
  if [ -n "${GO:-}" ]; then echo "$GO"; return; fi
  if command -v go >/dev/null; then command -v go; return; fi
  [ -x /usr/local/go/bin/go ] && { echo /usr/local/go/bin/go; return; }
  die "no Go toolchain (set GO=/path/to/go)"
}

# build: the binaries for the sources as they are, cached under a directory keyed by the pinned
# Kubernetes version and a hash of the module's files (and the Go version); prints that directory.
build() {
  local go k8s key dir
  go="$(find_go)"
  k8s="$(awk '$1 == "k8s.io/kubernetes" { print $2 }' "$module/go.mod")"
  key="$( (cd "$module" && "$go" version && find . -name '*.go' -o -name go.mod -o -name go.sum | LC_ALL=C sort |
    xargs sha256sum) | sha256sum | cut -c1-12)"
  dir="$build_root/$k8s-$key"
  if [ ! -x "$dir/controlplane" ] || [ ! -x "$dir/storksim" ]; then
    mkdir -p "$dir.tmp"
    echo "control-plane: building Kubernetes $k8s, etcd, kwok and storksim into $dir (the first build takes minutes)" >&2
    # The version Kubernetes' own build stamps in (hack/lib/version.sh), so /version tells the truth.
    local minor="${k8s#v1.}" x ldflags="-s -w"
    minor="${minor%%.*}"
    for x in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
      ldflags+=" -X $x.gitVersion=$k8s -X $x.gitMajor=1 -X $x.gitMinor=$minor -X $x.gitTreeState=clean"
    done
    (cd "$module" && GOFLAGS="${GOFLAGS:--p=2} -trimpath" "$go" build -ldflags="$ldflags" -o "$dir.tmp/" \
      ./cmd/controlplane ./cmd/storksim) >&2
    rm -rf "$dir"
    mv "$dir.tmp" "$dir"
    # older builds (other sources or versions) are not kept
    find "$build_root" -mindepth 1 -maxdepth 1 -type d ! -path "$dir" -exec rm -rf {} +
  fi
  echo "$dir"
}

if [ "${1:-}" = "build" ]; then
  build
  exit 0
fi

clusters="" state="" seed="" stork=1 minutes=0 apiserver_only=0 emulator="${KUBE_EMULATOR:-}"
while [ $# -gt 0 ]; do
  arg="$1"
  val=""
  case "$arg" in --*=*) val="${arg#*=}"; arg="${arg%%=*}";; esac
  take() { if [ -n "$val" ]; then echo "$val"; else [ $# -ge 1 ] || die "missing value for $arg"; echo "$1"; fi; }
  case "$arg" in
    --clusters) clusters="$(take "${2:-}")"; [ -n "$val" ] || shift;;
    --state-dir) state="$(take "${2:-}")"; [ -n "$val" ] || shift;;
    --seed) seed="$(take "${2:-}")"; [ -n "$val" ] || shift;;
    --emulator) emulator="$(take "${2:-}")"; [ -n "$val" ] || shift;;
    --no-stork) stork=0;;
    --minutes-as-seconds) minutes=1;;
    --apiserver-only) apiserver_only=1;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0;;
    *) die "$arg is not supported by the real control plane (kube-emulator only)";;
  esac
  shift
done
[ -n "$clusters" ] || die "--clusters is required"
[ -n "$state" ] || die "--state-dir is required"
for tool in openssl jq curl python3; do command -v "$tool" >/dev/null || die "$tool is not installed"; done
IFS=',' read -r -a names <<<"$clusters"
if [ -z "$emulator" ]; then
  for candidate in "$root"/build*/tests/emulator/kube-emulator; do
    [ -x "$candidate" ] && { emulator="$candidate"; break; }
  done
fi
[ -x "$emulator" ] || die "kube-emulator not found (set KUBE_EMULATOR or --emulator): it provides the seeds and the CRDs"

mkdir -p "$state"
state="$(cd "$state" && pwd)"
logs="$state/logs"
mkdir -p "$logs" "$state/pids"
bin="$(build)"
cp="$bin/controlplane"

pids=()
stopping=0
stop_all() {
  stopping=1
  local i p n=0 alive
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill -TERM "${pids[i]}" 2>/dev/null || true; done
  # bounded: what has not exited after 10 s (an API server draining its watches) is killed; the
  # state is a test fixture's
  while [ $n -lt 100 ]; do
    alive=0
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive = 1 ] || break
    sleep 0.1
    n=$((n + 1))
  done
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
}
trap 'stop_all; exit 0' TERM INT
trap 'stop_all' EXIT

fail() {
  echo "control-plane: $*" >&2
  local n
  for n in "${names[@]}"; do
    [ -f "$state/$n.kubeconfig" ] || continue
    echo "--- $n: pods, claims and recent events" >&2
    kubectl --kubeconfig "$state/$n.kubeconfig" --request-timeout=5s get pods,pvc -A -o wide >&2 2>&1 || true
    kubectl --kubeconfig "$state/$n.kubeconfig" --request-timeout=5s get events -A --sort-by=.lastTimestamp 2>&1 | tail -15 >&2 || true
  done
  for f in "$logs"/*.log; do
    [ -s "$f" ] && { echo "--- $f (last lines)" >&2; tail -15 "$f" >&2; }
  done
  exit 1
}

# start NAME CMD...: a component in the background, its output in logs/NAME.log.
start() {
  local name="$1"
  shift
  "$@" >"$logs/$name.log" 2>&1 &
  pids+=($!)
  echo $! >"$state/pids/$name"
}

# until_true SECONDS WHAT CMD...: polls CMD until it succeeds; fails (with the logs) at the deadline.
until_true() {
  local limit=$(($(date +%s) + $1)) what="$2"
  shift 2
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$limit" ] || fail "timed out waiting for $what"
    local p
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null || fail "a component exited while waiting for $what"; done
    sleep 0.2
  done
}

free_ports() {
  python3 -c '
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))' "$1"
}

# --- PKI: one CA; a serving certificate for every API server; a system:masters client --------------
pki="$state/pki"
mkdir -p "$pki"
(
  cd "$pki"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 365 -subj "/CN=kubectl-dr-test-ca" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -keyout apiserver.key -out apiserver.csr -subj "/CN=kube-apiserver" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n' >apiserver.ext
  openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out apiserver.crt -days 365 -extfile apiserver.ext 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -keyout admin.key -out admin.csr -subj "/O=system:masters/CN=kubernetes-admin" 2>/dev/null
  printf 'extendedKeyUsage=clientAuth\n' >admin.ext
  openssl x509 -req -in admin.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out admin.crt -days 365 -extfile admin.ext 2>/dev/null
  openssl genrsa -out sa.key 2048 2>/dev/null
  openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
)
cp "$pki/ca.crt" "$pki/admin.crt" "$state/"
install -m 600 "$pki/admin.key" "$state/admin.key"

read -r -a ports <<<"$(free_ports $((${#names[@]} + 2)))"
etcd_port="${ports[0]}"
etcd_peer="${ports[1]}"

b64() { base64 -w0 <"$1"; }
# kubeconfig FILE NAME...: one cluster, context and user per name, the admin client certificate.
kubeconfig() {
  local file="$1" n i
  shift
  {
    echo "apiVersion: v1"
    echo "kind: Config"
    echo "clusters:"
    for n in "$@"; do
      for i in "${!names[@]}"; do [ "${names[i]}" = "$n" ] && break; done
      printf -- '- name: %s\n  cluster:\n    server: https://127.0.0.1:%s\n    certificate-authority-data: %s\n' \
        "$n" "${ports[i + 2]}" "$(b64 "$pki/ca.crt")"
    done
    echo "contexts:"
    for n in "$@"; do printf -- '- name: %s\n  context:\n    cluster: %s\n    user: %s\n' "$n" "$n" "$n"; done
    echo "current-context: $1"
    echo "preferences: {}"
    echo "users:"
    for n in "$@"; do
      printf -- '- name: %s\n  user:\n    client-certificate-data: %s\n    client-key-data: %s\n' \
        "$n" "$(b64 "$pki/admin.crt")" "$(b64 "$pki/admin.key")"
    done
  } >"$file"
  chmod 600 "$file"
}

# --- the seed and the CRDs, from kube-emulator -----------------------------------------------------
# Run first, so a bad --seed fails before anything starts. With --snapshot, the emulator writes
# every object of every cluster on GET /emulator/snapshot.
seed_dir="$state/seed"
rm -rf "$seed_dir"
mkdir -p "$seed_dir"
emu_args=(--clusters "$clusters" --state-dir "$seed_dir" --snapshot --no-stork-controller --no-workload-controller)
[ -n "$seed" ] && emu_args+=(--seed "$seed")
[ "$stork" = 1 ] || emu_args+=(--no-stork)
seed_started=$(date +%s%N)
"$emulator" "${emu_args[@]}" >"$seed_dir/out" 2>"$logs/seed-emulator.log" &
emu_pid=$!
for _ in $(seq 1 1200); do
  if [ -s "$seed_dir/out" ] && head -1 "$seed_dir/out" | jq -e . >/dev/null 2>&1; then break; fi
  kill -0 "$emu_pid" 2>/dev/null || break
  sleep 0.1
done
if head -1 "$seed_dir/out" 2>/dev/null | jq -e . >/dev/null 2>&1; then
  curl -sf --cacert "$seed_dir/ca.crt" --cert "$seed_dir/admin.crt" --key "$seed_dir/admin.key" \
    "$(head -1 "$seed_dir/out" | jq -r '.clusters[].server' | head -1)/emulator/snapshot" >/dev/null || true
fi
kill -TERM "$emu_pid" 2>/dev/null || true
for _ in $(seq 1 100); do kill -0 "$emu_pid" 2>/dev/null || break; sleep 0.1; done
kill -KILL "$emu_pid" 2>/dev/null || true # (it has been seen to hang on shutdown now and then)
wait "$emu_pid" 2>/dev/null || true
[ -s "$seed_dir/snapshot.json" ] || fail "kube-emulator did not produce the seed (see $logs/seed-emulator.log)"

# --- etcd, then per cluster: kube-apiserver, controller-manager, scheduler, kwok --------------------
start etcd "$cp" etcd --data-dir "$state/etcd" --client-port "$etcd_port" --peer-port "$etcd_peer"
until_true 60 "etcd" curl -sf "http://127.0.0.1:$etcd_port/health"

cat >"$state/scheduler.yaml" <<'EOF'
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
leaderElection:
  leaderElect: false
clientConnection:
  kubeconfig: KUBECONFIG
profiles:
# Stork is also a scheduler (schedulerName: stork in Portworx's examples): the default plugins under
# that name, so such pods are scheduled here too.
- schedulerName: default-scheduler
- schedulerName: stork
EOF
"$cp" kwok-stages >"$state/kwok-stages.yaml"

for i in "${!names[@]}"; do
  n="${names[i]}"
  port="${ports[i + 2]}"
  kubeconfig "$state/$n.kubeconfig" "$n"
  start "$n-apiserver" "$cp" kube-apiserver \
    --etcd-servers="http://127.0.0.1:$etcd_port" --etcd-prefix="/registry/$n" \
    --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$port" \
    --cert-dir="$state/$n-certs" \
    --tls-cert-file="$pki/apiserver.crt" --tls-private-key-file="$pki/apiserver.key" \
    --client-ca-file="$pki/ca.crt" \
    --service-account-issuer=https://kubernetes.default.svc --service-account-key-file="$pki/sa.pub" \
    --service-account-signing-key-file="$pki/sa.key" --api-audiences=https://kubernetes.default.svc \
    --service-cluster-ip-range=10.0.0.0/24 --authorization-mode=Node,RBAC \
    --endpoint-reconciler-type=none \
    --profiling=false --v=1
done
for i in "${!names[@]}"; do
  n="${names[i]}"
  until_true "$timeout_s" "the API server of $n" curl -sf --cacert "$pki/ca.crt" --cert "$pki/admin.crt" \
    --key "$pki/admin.key" "https://127.0.0.1:${ports[i + 2]}/readyz"
done
for i in "${!names[@]}"; do
  [ "$apiserver_only" = 0 ] || break
  n="${names[i]}"
  kc="$state/$n.kubeconfig"
  start "$n-controller-manager" "$cp" kube-controller-manager --kubeconfig="$kc" \
    --authentication-kubeconfig="$kc" --authorization-kubeconfig="$kc" \
    --leader-elect=false --secure-port=0 --use-service-account-credentials=true \
    --node-monitor-grace-period=120s \
    --service-account-private-key-file="$pki/sa.key" --root-ca-file="$pki/ca.crt" \
    --cluster-signing-cert-file="$pki/ca.crt" --cluster-signing-key-file="$pki/ca.key" \
    --profiling=false --v=1
  sed "s#KUBECONFIG#$kc#" "$state/scheduler.yaml" >"$state/$n-scheduler.yaml"
  start "$n-scheduler" "$cp" kube-scheduler --config="$state/$n-scheduler.yaml" \
    --authentication-kubeconfig="$kc" --authorization-kubeconfig="$kc" --secure-port=0 --v=1
  start "$n-kwok" "$cp" kwok --kubeconfig="$kc" --config="$state/kwok-stages.yaml" \
    --manage-all-nodes=true --node-lease-duration-seconds=40 --cidr=10.244.0.0/16 --node-ip=127.0.0.1
done

kctl() { local n="$1"; shift; kubectl --kubeconfig "$state/$n.kubeconfig" --request-timeout=30s "$@"; }

# --- nodes, CRDs, seed ---------------------------------------------------------------------------
for n in "${names[@]}"; do
  [ "$apiserver_only" = 0 ] || break
  for k in 0 1 2; do
    node="kwok-node-$k"
    jq -n --arg name "$node" '{apiVersion: "v1", kind: "Node",
      metadata: {name: $name, annotations: {"kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0"},
        labels: {"kubernetes.io/hostname": $name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
          "node-role.kubernetes.io/agent": "", type: "kwok"}},
      status: {allocatable: {cpu: "64", memory: "256Gi", pods: "5000"},
        capacity: {cpu: "64", memory: "256Gi", pods: "5000"}}}'
  done | kctl "$n" apply --server-side --field-manager=control-plane -f - >/dev/null ||
    fail "cannot create the nodes of $n"
done

# Per cluster, the objects to create, in order: CRDs, then cluster-scoped objects and namespaces,
# then the rest. Left out: what the real controllers make (pods, ReplicaSets, ControllerRevisions,
# events, the kube-root-ca.crt ConfigMaps, the default namespaces' contents) and the server-set
# metadata. Owner references are dropped (their UIDs are the emulator's: the garbage collector
# would delete the dependents). PVC bindings are redone here: claim-bound PersistentVolumes below.
seed_filter='
  def strip: del(.metadata.uid, .metadata.resourceVersion, .metadata.creationTimestamp, .metadata.generation,
    .metadata.managedFields, .metadata.selfLink, .metadata.ownerReferences);
  (.clusters[$n].objects // [])
  | map(select(
      (.kind | IN("Pod", "ReplicaSet", "ControllerRevision", "Event", "Endpoints", "EndpointSlice", "Lease", "ServiceAccount") | not)
      and ((.metadata.ownerReferences // []) | length == 0 or (.[0].kind == "MigrationSchedule"))
      and ((.kind == "ConfigMap" and .metadata.name == "kube-root-ca.crt") | not)
      and ((.kind == "Namespace" and (.metadata.name | IN("default", "kube-system", "kube-public", "kube-node-lease"))) | not)
      and ((.kind == "Service" and .metadata.name == "kubernetes") | not)))
  | map(strip
      | if .kind == "PersistentVolumeClaim" then del(.spec.volumeName, .status)
          | .metadata.annotations |= with_entries(select(.key | test("^pv\\.kubernetes\\.io/|storage-provisioner$") | not))
        else . end
      | if .kind == "Service" and .spec.clusterIP != "None" then del(.spec.clusterIP, .spec.clusterIPs) else . end)
  | (map(select(.kind == "CustomResourceDefinition")),
     map(select(.kind != "CustomResourceDefinition" and ((.metadata.namespace // "") == ""))),
     map(select(.kind != "CustomResourceDefinition" and ((.metadata.namespace // "") != ""))))
  | {apiVersion: "v1", kind: "List", items: .}'
for n in "${names[@]}"; do
  jq -c --arg n "$n" "$seed_filter" "$seed_dir/snapshot.json" >"$seed_dir/$n.lists"
  # The volumes the StatefulSets' claims will bind to: one per claim the StatefulSet can have (its
  # replicas, or the count a migrated copy keeps), named alike on every cluster, so a migrated
  # claim's volumeName names one here too. The storage class is a name only (Portworx's CSI
  # provisioner is not here; the volumes are pre-bound).
  jq -c '.clusters | [.[].objects[]?] | map(select(.kind == "StatefulSet")) | map(. as $s |
      ([.spec.replicas, (.metadata.annotations["stork.libopenstorage.org/migrationReplicas"] // "0" | tonumber)] | max) as $count |
      (.spec.volumeClaimTemplates // [])[] as $t | range(0; $count) as $k |
      {apiVersion: "v1", kind: "PersistentVolume",
       metadata: {name: "pv-\($s.metadata.namespace)-\($t.metadata.name)-\($s.metadata.name)-\($k)"},
       spec: {capacity: {storage: ($t.spec.resources.requests.storage // "1Gi")},
              accessModes: ($t.spec.accessModes // ["ReadWriteOnce"]), persistentVolumeReclaimPolicy: "Retain",
              storageClassName: ($t.spec.storageClassName // ""), volumeMode: "Filesystem",
              hostPath: {path: "/var/lib/kubectl-dr-fake/\($s.metadata.namespace)/\($t.metadata.name)-\($s.metadata.name)-\($k)"},
              claimRef: {apiVersion: "v1", kind: "PersistentVolumeClaim", namespace: $s.metadata.namespace,
                         name: "\($t.metadata.name)-\($s.metadata.name)-\($k)"}}})
    | unique_by(.metadata.name)
    | . + ([.[].spec.storageClassName | select(. != "")] | unique | map({apiVersion: "storage.k8s.io/v1",
        kind: "StorageClass", metadata: {name: .}, provisioner: "pxd.portworx.com", reclaimPolicy: "Retain",
        volumeBindingMode: "Immediate"}))
    | {apiVersion: "v1", kind: "List", items: .}' "$seed_dir/snapshot.json" >"$seed_dir/volumes.json"
done

for n in "${names[@]}"; do
  {
    read -r crds
    read -r cluster_scoped
    read -r namespaced
  } <"$seed_dir/$n.lists"
  if [ "$(jq '.items | length' <<<"$crds")" -gt 0 ]; then
    kctl "$n" create -f - <<<"$crds" >/dev/null 2>"$logs/$n-seed.err" || fail "cannot create the CRDs on $n: $(cat "$logs/$n-seed.err")"
    kctl "$n" wait --for=condition=Established --timeout="${timeout_s}s" crd --all >/dev/null ||
      fail "the CRDs on $n are not established"
  fi
done
# the CRDs' types are served (discovery) before objects of them are created
for n in "${names[@]}"; do
  if [ "$stork" = 1 ]; then
    until_true 60 "Stork's types on $n" kctl "$n" get migrationschedules.stork.libopenstorage.org -A
  fi
  if [ "$apiserver_only" = 0 ] && [ "$(jq '.items | length' "$seed_dir/volumes.json")" -gt 0 ]; then
    kctl "$n" create -f "$seed_dir/volumes.json" >/dev/null 2>"$logs/$n-seed.err" ||
      fail "cannot create the seed's volumes on $n: $(cat "$logs/$n-seed.err")"
  fi
  {
    read -r crds
    read -r cluster_scoped
    read -r namespaced
  } <"$seed_dir/$n.lists"
  for list in "$cluster_scoped" "$namespaced"; do
    [ "$(jq '.items | length' <<<"$list")" -gt 0 ] || continue
    kctl "$n" create -f - <<<"$list" >/dev/null 2>"$logs/$n-seed.err" ||
      fail "cannot create the seed on $n: $(cat "$logs/$n-seed.err")"
  done
done

# --- Stork -----------------------------------------------------------------------------------------
kubeconfig "$state/kubeconfig" "${names[@]}"
if [ "$stork" = 1 ] && [ "$apiserver_only" = 0 ]; then
  sim_args=(--kubeconfig "$state/kubeconfig" --contexts "$clusters" --admin-file "$state/storksim.url")
  [ "$minutes" = 1 ] && sim_args+=(--minutes-as-seconds)
  rm -f "$state/storksim.url"
  start storksim "$bin/storksim" "${sim_args[@]}"
  until_true 60 "storksim" test -s "$state/storksim.url"
fi

# --- ready: nodes Ready, the default service accounts made, every seeded workload at its count ------
nodes_ready() {
  [ "$(kctl "$1" get nodes -o json | jq '[.items[] | select(any(.status.conditions[]?; .type == "Ready" and .status == "True"))] | length')" -ge 3 ]
}
workloads_ready() {
  kctl "$1" get deployments,statefulsets -A -o json | jq -e '[.items[] |
    select((.status.readyReplicas // 0) != .spec.replicas or (.status.replicas // 0) != .spec.replicas
           or (.status.observedGeneration // 0) < .metadata.generation)] | length == 0'
}
for n in "${names[@]}"; do
  [ "$apiserver_only" = 0 ] || break
  until_true "$timeout_s" "the nodes of $n" nodes_ready "$n"
  until_true "$timeout_s" "the default service account of $n" kctl "$n" get serviceaccount default -n default
  until_true "$timeout_s" "the seeded workloads of $n" workloads_ready "$n"
  if [ "$stork" = 1 ]; then
    until_true 60 "the ClusterDomainsStatus of $n" kctl "$n" get clusterdomainsstatuses px-dr-cluster
  fi
done
seed_ms=$((($(date +%s%N) - seed_started) / 1000000))

ready="$(jq -cn --arg kc "$state/kubeconfig" --arg dir "$state" --arg names "$clusters" --arg ports "${ports[*]:2}" \
  --argjson seeded "$([ -n "$seed" ] && echo true || echo false)" --argjson ms "$seed_ms" '
  ($names | split(",")) as $n | ($ports | split(" ") | map(tonumber)) as $p |
  {kubeconfig: $kc, state_dir: $dir,
   clusters: ([range(0; $n | length)] | map({key: $n[.], value: {port: $p[.], server: "https://127.0.0.1:\($p[.])"}}) | from_entries)}
  + (if $seeded then {seed_ms: $ms} else {} end)')"
echo "$ready"

# serve until SIGTERM/SIGINT (the trap stops everything); a component that dies ends the run
while true; do
  for p in "${pids[@]}"; do
    kill -0 "$p" 2>/dev/null || { [ "$stopping" = 1 ] || fail "a component exited (pid $p)"; }
  done
  sleep 2 &
  wait $! || true
done
