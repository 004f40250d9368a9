#!/usr/bin/env bash
# npm run k8s:up: a real Kubernetes control plane on loopback for the test suite and for trying
# bso by hand: etcd, kube-apiserver and kube-controller-manager (Kubernetes 1.20.2, built from
# Debian's source package by scripts/k8s/build.sh and cached per machine). Idempotent: when the
# control plane it started is still up it says so. Prints the admin kubeconfig's path on its last
# line:
#   export KUBECONFIG=$(npm run --silent k8s:up | tail -1)
#
# Without --pods: no kubelet, scheduler or kube-proxy: objects are stored, validated, defaulted
# and garbage-collected, Deployments get ReplicaSets and Pods, but Pods are never scheduled.
# With --pods (npm run k8s:up -- --pods) a node runs them too (scripts/k8s/pods.sh: a private
# containerd with Debian's CNI plugins, kubelet, kube-scheduler, kube-proxy, a pause image built
# from the same source, bso's images copied from Docker).
# State (certificates, tokens, etcd's data, logs, pids): $BSO_K8S_STATE (default /tmp/bso-k8s).
# Ports on 127.0.0.1: etcd $BSO_K8S_ETCD_PORT (23790, peers +10), kube-apiserver
# $BSO_K8S_API_PORT (26443), kube-controller-manager $BSO_K8S_CONTROLLER_MANAGER_PORT (30257).
# npm run k8s:down stops exactly what this started and removes the state.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../lib.sh"
source "$HERE/lib.sh"
PODS=false
for arg in "$@"; do
  case "$arg" in
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    --pods) PODS=true ;;
    *) echo "k8s:up: unknown argument $arg (try --help)" >&2; exit 2 ;;
  esac
done

KUBECONFIG_ADMIN="$K8S_STATE/admin.kubeconfig"
if k8s_running; then
  if $PODS && ! k8s_node_running; then
    bash "$HERE/pods.sh" >&2
  else
    step "the control plane in $K8S_STATE is up$(k8s_node_running && echo ", with the node $K8S_NODE_NAME") (npm run k8s:down stops it)"
  fi
  echo "$KUBECONFIG_ADMIN"
  exit 0
fi
if [ -d "$K8S_STATE" ]; then
  step "a control plane in $K8S_STATE is partly up or stale: stopping it first"
  bash "$HERE/down.sh" >&2
fi

# With --pods, the node's components too: one build shares the compiled packages.
COMPONENTS=(kube-apiserver kube-controller-manager)
$PODS && COMPONENTS+=(kube-scheduler kubelet kube-proxy)
BIN="$(bash "$HERE/build.sh" "${COMPONENTS[@]}" | tail -1)"
ETCD=$(command -v etcd || true)
[ -n "$ETCD" ] || { ensure_debian_packages etcd-server; ETCD=$(command -v etcd); }

mkdir -p "$K8S_STATE"/{pki,logs,pids,etcd}
chmod 700 "$K8S_STATE"
cd "$K8S_STATE"

step "certificates and tokens in $K8S_STATE"
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=bso-test-ca" \
  -keyout pki/ca.key -out pki/ca.crt 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" -keyout pki/apiserver.key -out pki/apiserver.csr 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,IP:10.96.0.1,IP:%s,' "$BSO_SWARM_ADDR_DEFAULT" > pki/apiserver.ext
printf 'DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\n' >> pki/apiserver.ext
openssl x509 -req -in pki/apiserver.csr -CA pki/ca.crt -CAkey pki/ca.key -CAcreateserial -days 30 \
  -extfile pki/apiserver.ext -out pki/apiserver.crt 2>/dev/null
# The API server's client certificate towards kubelets (kubectl exec and logs).
openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver-kubelet-client/O=system:masters" \
  -keyout pki/kubelet-client.key -out pki/kubelet-client.csr 2>/dev/null
openssl x509 -req -in pki/kubelet-client.csr -CA pki/ca.crt -CAkey pki/ca.key -CAcreateserial -days 30 \
  -out pki/kubelet-client.crt 2>/dev/null
openssl genrsa -out pki/sa.key 2048 2>/dev/null
openssl rsa -in pki/sa.key -pubout -out pki/sa.pub 2>/dev/null
ADMIN_TOKEN=$(openssl rand -hex 24)
CM_TOKEN=$(openssl rand -hex 24)
EDITOR_TOKEN=$(openssl rand -hex 24)
# The admin; the controller-manager; a user with no rights of its own (tests bind it to `edit`);
# the node's components (used with --pods: the API server reads this file only at start).
cat > pki/tokens.csv <<EOF
$ADMIN_TOKEN,bso-admin,bso-admin,system:masters
$CM_TOKEN,system:kube-controller-manager,system:kube-controller-manager
$EDITOR_TOKEN,bso-editor,bso-editor
$(openssl rand -hex 24),system:kube-scheduler,system:kube-scheduler
$(openssl rand -hex 24),system:node:$K8S_NODE_NAME,system:node:$K8S_NODE_NAME,system:nodes
$(openssl rand -hex 24),system:kube-proxy,system:kube-proxy
EOF
chmod 600 pki/*

write_kubeconfig() { # file user token
  "$BIN/kubectl" config --kubeconfig="$1" set-cluster bso-test --server="https://127.0.0.1:$K8S_API_PORT" \
    --certificate-authority="$K8S_STATE/pki/ca.crt" --embed-certs=true >/dev/null
  "$BIN/kubectl" config --kubeconfig="$1" set-credentials "$2" --token="$3" >/dev/null
  "$BIN/kubectl" config --kubeconfig="$1" set-context bso-test --cluster=bso-test --user="$2" --namespace=default >/dev/null
  "$BIN/kubectl" config --kubeconfig="$1" use-context bso-test >/dev/null
  chmod 600 "$1"
}
write_kubeconfig "$KUBECONFIG_ADMIN" bso-admin "$ADMIN_TOKEN"
write_kubeconfig "$K8S_STATE/controller-manager.kubeconfig" system:kube-controller-manager "$CM_TOKEN"
write_kubeconfig "$K8S_STATE/editor.kubeconfig" bso-editor "$EDITOR_TOKEN"
ln -sfn "$BIN" "$K8S_STATE/bin"   # kubectl and the binaries of this version, beside the kubeconfigs


step "etcd on 127.0.0.1:$K8S_ETCD_PORT"
PEER=$((K8S_ETCD_PORT + 10))
k8s_start etcd "$ETCD" --name bso-test --data-dir "$K8S_STATE/etcd" \
  --listen-client-urls "http://127.0.0.1:$K8S_ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$K8S_ETCD_PORT" \
  --listen-peer-urls "http://127.0.0.1:$PEER" --initial-advertise-peer-urls "http://127.0.0.1:$PEER" \
  --initial-cluster "bso-test=http://127.0.0.1:$PEER" --listen-metrics-urls "" --log-level warn
k8s_wait_for etcd 30 curl -sf "http://127.0.0.1:$K8S_ETCD_PORT/health"

step "kube-apiserver $K8S_VERSION on https://127.0.0.1:$K8S_API_PORT"
k8s_start kube-apiserver "$BIN/kube-apiserver" \
  --etcd-servers "http://127.0.0.1:$K8S_ETCD_PORT" \
  --bind-address 127.0.0.1 --advertise-address "$BSO_SWARM_ADDR_DEFAULT" --secure-port "$K8S_API_PORT" --insecure-port 0 \
  --tls-cert-file pki/apiserver.crt --tls-private-key-file pki/apiserver.key --client-ca-file pki/ca.crt \
  --token-auth-file pki/tokens.csv --authorization-mode Node,RBAC --anonymous-auth=false \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-account-key-file pki/sa.pub --service-account-signing-key-file pki/sa.key \
  --service-cluster-ip-range 10.96.0.0/16 --allow-privileged=true \
  --enable-admission-plugins NamespaceLifecycle,ServiceAccount,DefaultStorageClass,ResourceQuota \
  --kubelet-client-certificate pki/kubelet-client.crt --kubelet-client-key pki/kubelet-client.key \
  --kubelet-preferred-address-types InternalIP \
  --profiling=false --v=1
k8s_wait_for kube-apiserver 90 "$BIN/kubectl" --kubeconfig "$KUBECONFIG_ADMIN" get --raw /readyz

step "kube-controller-manager (Deployments, ReplicaSets, garbage collection, namespaces, service-account tokens)"
k8s_start kube-controller-manager "$BIN/kube-controller-manager" \
  --kubeconfig controller-manager.kubeconfig --authentication-kubeconfig controller-manager.kubeconfig \
  --authorization-kubeconfig controller-manager.kubeconfig \
  --bind-address 127.0.0.1 --secure-port "$K8S_CM_PORT" --port 0 \
  --leader-elect=false --use-service-account-credentials=true \
  --service-account-private-key-file pki/sa.key --root-ca-file pki/ca.crt \
  --controllers '*,-nodeipam,-cloud-node-lifecycle,-route,-service,-persistentvolume-binder,-attachdetach,-persistentvolume-expander' \
  --profiling=false --v=1
k8s_wait_for kube-controller-manager 60 curl -skf "https://127.0.0.1:$K8S_CM_PORT/healthz"
# The namespace and token controllers at work: the default ServiceAccount and its token.
k8s_wait_for kube-controller-manager 60 "$BIN/kubectl" --kubeconfig "$KUBECONFIG_ADMIN" -n default get serviceaccount default

$PODS && bash "$HERE/pods.sh" >&2
step "control plane up$($PODS && echo ", with the node $K8S_NODE_NAME"): KUBECONFIG=$KUBECONFIG_ADMIN $BIN/kubectl get namespaces"
echo "$KUBECONFIG_ADMIN"
