# What the Kubernetes scripts share: versions, the cache, the state of a running control plane.
# Source it after scripts/lib.sh; do not run it.

# The Debian source package the control plane is built from.
K8S_DEB_VERSION=1.20.5+really1.20.2-1.1+deb12u1
K8S_VERSION=v1.20.2

if [ -n "${BSO_K8S_CACHE:-}" ]; then K8S_CACHE=$BSO_K8S_CACHE
elif [ "$(id -u)" = 0 ]; then K8S_CACHE=/var/cache/bso-k8s
else K8S_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/bso-k8s
fi

# The running control plane: pids, certificates, etcd's data, logs and the kubeconfigs.
K8S_STATE=${BSO_K8S_STATE:-/tmp/bso-k8s}
K8S_ETCD_PORT=${BSO_K8S_ETCD_PORT:-23790}
K8S_API_PORT=${BSO_K8S_API_PORT:-26443}
K8S_CM_PORT=${BSO_K8S_CONTROLLER_MANAGER_PORT:-30257}

# Binaries are cached per source version and per recipe: raise K8S_BUILD_RECIPE when build.sh
# changes how they are built; a changed patch builds anew by itself.
K8S_BUILD_RECIPE=2
k8s_bin_dir() {
  local here patch
  here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  patch=$(sha256sum < "$here/reflect2-go1.18.patch" | cut -c1-8)
  echo "$K8S_CACHE/bin/$K8S_DEB_VERSION-r$K8S_BUILD_RECIPE-$patch"
}

# The pid a component's pidfile names, when that process still runs the binary k8s_start
# recorded for it (the component's name when none is recorded).
k8s_pid() { # name
  local pid binary
  pid=$(cat "$K8S_STATE/pids/$1.pid" 2>/dev/null) || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  binary=$(cat "$K8S_STATE/pids/$1.binary" 2>/dev/null) || binary=$1
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$binary" || return 1
  echo "$pid"
}

# True when every component started by up.sh runs and the API server answers ready.
k8s_running() {
  local name
  for name in etcd kube-apiserver kube-controller-manager; do k8s_pid "$name" >/dev/null || return 1; done
  curl -sf --cacert "$K8S_STATE/pki/ca.crt" -H "Authorization: Bearer $(cut -d, -f1 < <(head -1 "$K8S_STATE/pki/tokens.csv"))" \
    "https://127.0.0.1:$K8S_API_PORT/readyz" >/dev/null 2>&1
}

# The node of npm run k8s:up -- --pods (scripts/k8s/pods.sh).
K8S_NODE_NAME=bso-node
K8S_POD_CIDR=${BSO_K8S_POD_CIDR:-10.250.0.0/24}
K8S_BRIDGE=bso-cni0
K8S_CONTAINERD_SOCKET=$K8S_STATE/containerd/containerd.sock
K8S_PAUSE_IMAGE=bso.local/pause:3.4
K8S_BSO_IMAGES=(bso-haproxy:latest bso-hello-api:latest bso-operator:latest)
K8S_SCHEDULER_PORT=${BSO_K8S_SCHEDULER_PORT:-30259}
K8S_KUBELET_PORT=${BSO_K8S_KUBELET_PORT:-30250}
K8S_KUBELET_HEALTHZ_PORT=${BSO_K8S_KUBELET_HEALTHZ_PORT:-30248}
K8S_PROXY_METRICS_PORT=${BSO_K8S_PROXY_METRICS_PORT:-30249}
K8S_PROXY_HEALTHZ_PORT=${BSO_K8S_PROXY_HEALTHZ_PORT:-30256}
# The node's components, in the order they start (down.sh stops them in reverse).
K8S_NODE_COMPONENTS=(containerd apiserver-relay kube-scheduler kubelet kube-proxy)

# True when every component of the node (pods.sh) runs.
k8s_node_running() {
  local name
  for name in "${K8S_NODE_COMPONENTS[@]}"; do k8s_pid "$name" >/dev/null || return 1; done
}

# Starts a component of up.sh or pods.sh in its own session, its pid and binary recorded (down.sh
# stops exactly these), its output in $K8S_STATE/logs/NAME.log.
k8s_start() { # name binary args...
  local name=$1; shift
  basename -- "$1" > "$K8S_STATE/pids/$name.binary"
  setsid -f bash -c 'echo $$ > "$0"; exec "$@"' "$K8S_STATE/pids/$name.pid" "$@" >"$K8S_STATE/logs/$name.log" 2>&1 </dev/null
  for _ in $(seq 1 50); do [ -s "$K8S_STATE/pids/$name.pid" ] && break; sleep 0.1; done
}
# Waits until the command succeeds; after `seconds`, shows the end of the log of `what` and exits.
k8s_wait_for() { # what seconds command...
  local what=$1 seconds=$2; shift 2
  local started=$SECONDS
  until "$@" >/dev/null 2>&1; do
    if (( SECONDS - started >= seconds )); then
      echo "k8s:up: $what did not come up within $seconds s; the end of its log:" >&2
      tail -20 "$K8S_STATE/logs/$what.log" >&2 || true
      exit 1
    fi
    sleep 0.5
  done
}
