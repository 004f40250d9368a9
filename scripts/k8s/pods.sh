#!/usr/bin/env bash
# The second half of npm run k8s:up -- --pods: a node that runs pods, beside the control plane
# up.sh started. Run by up.sh; not on its own.
#
#   containerd   a private instance (its own socket, root and state under $K8S_STATE/containerd;
#                Docker's containerd is left alone) with Debian's CNI plugins
#                (containernetworking-plugins): bridge bso-cni0, pods in $K8S_POD_CIDR
#   pause image  built offline from the same source tree (build/pause/linux/pause.c)
#   bso images   bso-haproxy, bso-hello-api and bso-operator, copied from Docker into containerd
#   kubelet, kube-scheduler, kube-proxy (iptables mode), from the same build as the API server;
#                kube-proxy needs Debian's conntrack to forget a UDP Service's dead endpoint
#                (without it, HAProxy's DNS queries kept going to a deleted operator pod)
#   a relay (socat) from the node's address to the API server on loopback, for pods that use the
#                `kubernetes` Service (in-cluster clients such as bso's operator Deployment)
#
# The node is called bso-node; its address is the Swarm address scripts/lib.sh puts on lo
# ($BSO_SWARM_ADDR_DEFAULT), which pods reach through the bridge. down.sh removes the node:
# pods, containers, mounts, the bridge, and the iptables chains of CNI and kube-proxy.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../lib.sh"
source "$HERE/lib.sh"
case "${1:-}" in -h|--help) sed -n '2,16p' "$0"; exit 0 ;; esac
[ -f "$K8S_STATE/admin.kubeconfig" ] || { echo "pods.sh: no control plane in $K8S_STATE (run npm run k8s:up -- --pods)" >&2; exit 1; }

BIN="$(bash "$HERE/build.sh" kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy | tail -1)"
ensure_debian_packages containerd runc containernetworking-plugins iptables conntrack
ensure_dockerd
KUBECTL=("$BIN/kubectl" --kubeconfig "$K8S_STATE/admin.kubeconfig")
NODE_IP=$BSO_SWARM_ADDR_DEFAULT
CTR=(ctr --address "$K8S_CONTAINERD_SOCKET" --namespace k8s.io)
cd "$K8S_STATE"


# Credentials of the node's components: tokens the API server knows (up.sh reads tokens.csv at
# start, so up.sh writes these lines; here only the kubeconfigs).
token_of() { awk -F, -v user="$1" '$2 == user { print $1 }' pki/tokens.csv; }
write_kubeconfig() { # file user
  local token; token=$(token_of "$2")
  [ -n "$token" ] || { echo "pods.sh: no token for $2 in $K8S_STATE/pki/tokens.csv (the control plane was started without --pods)" >&2; exit 1; }
  "$BIN/kubectl" config --kubeconfig="$1" set-cluster bso-test --server="https://127.0.0.1:$K8S_API_PORT" \
    --certificate-authority="$K8S_STATE/pki/ca.crt" --embed-certs=true >/dev/null
  "$BIN/kubectl" config --kubeconfig="$1" set-credentials "$2" --token="$token" >/dev/null
  "$BIN/kubectl" config --kubeconfig="$1" set-context bso-test --cluster=bso-test --user="$2" >/dev/null
  "$BIN/kubectl" config --kubeconfig="$1" use-context bso-test >/dev/null
  chmod 600 "$1"
}
write_kubeconfig kubelet.kubeconfig "system:node:$K8S_NODE_NAME"
write_kubeconfig scheduler.kubeconfig system:kube-scheduler
write_kubeconfig kube-proxy.kubeconfig system:kube-proxy

step "containerd (a private instance: $K8S_CONTAINERD_SOCKET) with the CNI bridge $K8S_BRIDGE ($K8S_POD_CIDR)"
mkdir -p containerd/root containerd/state cni/net.d cni/ipam
cat > containerd/config.toml <<EOF
version = 2
root = "$K8S_STATE/containerd/root"
state = "$K8S_STATE/containerd/state"
[grpc]
  address = "$K8S_CONTAINERD_SOCKET"
[ttrpc]
  address = "$K8S_CONTAINERD_SOCKET.ttrpc"
[metrics]
  address = ""
[plugins]
  [plugins."io.containerd.internal.v1.opt"]
    path = "$K8S_STATE/containerd/opt"
  [plugins."io.containerd.grpc.v1.cri"]
    sandbox_image = "$K8S_PAUSE_IMAGE"
    stream_server_address = "127.0.0.1"
    stream_server_port = "0"
    enable_selinux = false
    # This machine withholds CAP_SYS_RESOURCE: no oom_score_adj below containerd's own.
    restrict_oom_score_adj = true
    [plugins."io.containerd.grpc.v1.cri".containerd]
      snapshotter = "overlayfs"
      default_runtime_name = "runc"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
        runtime_type = "io.containerd.runc.v2"
    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = "/usr/lib/cni"
      conf_dir = "$K8S_STATE/cni/net.d"
EOF
# bridge (pods on bso-cni0, NAT to the outside), portmap (hostPort), firewall (lets pod traffic
# through FORWARD, whose policy Docker sets to DROP).
cat > cni/net.d/10-bso.conflist <<EOF
{
  "cniVersion": "0.4.0",
  "name": "bso-pods",
  "plugins": [
    { "type": "bridge", "bridge": "$K8S_BRIDGE", "isGateway": true, "ipMasq": true, "hairpinMode": true,
      "ipam": { "type": "host-local", "ranges": [[{ "subnet": "$K8S_POD_CIDR" }]], "routes": [{ "dst": "0.0.0.0/0" }],
                "dataDir": "$K8S_STATE/cni/ipam" } },
    { "type": "portmap", "capabilities": { "portMappings": true } },
    { "type": "firewall" }
  ]
}
EOF
k8s_start containerd containerd --config "$K8S_STATE/containerd/config.toml"
k8s_wait_for containerd 30 "${CTR[@]}" version

step "the pause image $K8S_PAUSE_IMAGE, from build/pause/linux/pause.c of the same source"
SRC="$K8S_CACHE/src/$K8S_DEB_VERSION"
mkdir -p pause
gcc -Os -Wall -Werror -static -DVERSION=v3.4-bso -o pause/pause "$SRC/build/pause/linux/pause.c"
printf 'FROM scratch\nCOPY pause /pause\nUSER 65535:65535\nENTRYPOINT ["/pause"]\n' > pause/Dockerfile
docker build -t "$K8S_PAUSE_IMAGE" pause >pause/build.log 2>&1 || { tail -20 pause/build.log >&2; exit 1; }

step "images into containerd: $K8S_PAUSE_IMAGE ${K8S_BSO_IMAGES[*]}"
for image in "${K8S_BSO_IMAGES[@]}"; do
  docker image inspect "$image" >/dev/null 2>&1 || { echo "k8s:up: the image $image is missing: run npm run setup first" >&2; exit 1; }
done
docker save "$K8S_PAUSE_IMAGE" "${K8S_BSO_IMAGES[@]}" | "${CTR[@]}" images import --no-unpack - >/dev/null

# Pods reach the API server as in-cluster clients do: the `kubernetes` Service (10.96.0.1:443),
# which kube-proxy sends to the address the API server advertises, the node's; the API server
# itself listens on loopback only, and this relay forwards the node's address to it.
step "the API server for pods: $NODE_IP:$K8S_API_PORT -> 127.0.0.1:$K8S_API_PORT (the kubernetes Service's endpoint)"
ensure_debian_packages socat
k8s_start apiserver-relay socat "TCP-LISTEN:$K8S_API_PORT,bind=$NODE_IP,fork,reuseaddr" "TCP:127.0.0.1:$K8S_API_PORT"
k8s_wait_for apiserver-relay 10 curl -sk -o /dev/null "https://$NODE_IP:$K8S_API_PORT/healthz"

step "kube-scheduler"
k8s_start kube-scheduler "$BIN/kube-scheduler" --kubeconfig scheduler.kubeconfig \
  --authentication-kubeconfig scheduler.kubeconfig --authorization-kubeconfig scheduler.kubeconfig \
  --bind-address 127.0.0.1 --secure-port "$K8S_SCHEDULER_PORT" --port 0 --leader-elect=false --v=1
k8s_wait_for kube-scheduler 60 curl -skf "https://127.0.0.1:$K8S_SCHEDULER_PORT/healthz"

step "kubelet (node $K8S_NODE_NAME at $NODE_IP)"
mkdir -p kubelet
cat > kubelet/config.yaml <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: $K8S_KUBELET_PORT
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $K8S_KUBELET_HEALTHZ_PORT
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: false }
  x509: { clientCAFile: $K8S_STATE/pki/ca.crt }
authorization: { mode: AlwaysAllow }
cgroupDriver: cgroupfs
failSwapOn: false
podCIDR: $K8S_POD_CIDR
maxPods: 40
resolvConf: /etc/resolv.conf
# The images were imported, never pulled: never collect them, never evict for disk.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: { memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%" }
serializeImagePulls: false
# bso's HAProxy pods bind ports below 1024 as a user (a safe sysctl from Kubernetes 1.22).
allowedUnsafeSysctls: ["net.ipv4.ip_unprivileged_port_start"]
EOF
k8s_start kubelet "$BIN/kubelet" --config kubelet/config.yaml --kubeconfig kubelet.kubeconfig \
  --root-dir "$K8S_STATE/kubelet/root" --cert-dir "$K8S_STATE/kubelet/pki" \
  --container-runtime remote --container-runtime-endpoint "unix://$K8S_CONTAINERD_SOCKET" \
  --pod-infra-container-image "$K8S_PAUSE_IMAGE" --hostname-override "$K8S_NODE_NAME" --node-ip "$NODE_IP" --v=1
k8s_wait_for kubelet 90 curl -sf "http://127.0.0.1:$K8S_KUBELET_HEALTHZ_PORT/healthz"
k8s_wait_for kubelet 90 "${KUBECTL[@]}" wait --for condition=Ready "node/$K8S_NODE_NAME" --timeout 2s

step "kube-proxy (iptables mode)"
k8s_start kube-proxy "$BIN/kube-proxy" --kubeconfig kube-proxy.kubeconfig --hostname-override "$K8S_NODE_NAME" \
  --proxy-mode iptables --cluster-cidr "$K8S_POD_CIDR" --bind-address "$NODE_IP" \
  --metrics-bind-address "127.0.0.1:$K8S_PROXY_METRICS_PORT" --healthz-bind-address "127.0.0.1:$K8S_PROXY_HEALTHZ_PORT" \
  --conntrack-max-per-core 0 --v=1
k8s_wait_for kube-proxy 60 curl -sf "http://127.0.0.1:$K8S_PROXY_HEALTHZ_PORT/healthz"
step "node $K8S_NODE_NAME runs pods"
