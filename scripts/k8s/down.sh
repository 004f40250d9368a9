#!/usr/bin/env bash
# npm run k8s:down: stops the control plane npm run k8s:up started (only the processes whose pids
# it recorded, and only while they still run what it started) and removes its state folder
# ($BSO_K8S_STATE, default /tmp/bso-k8s). With a node (k8s:up --pods) it first removes the pods'
# containers, their network namespaces and mounts, the bridge, and the iptables chains of CNI and
# kube-proxy. Nothing to do is not an error.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../lib.sh"
source "$HERE/lib.sh"
case "${1:-}" in -h|--help) sed -n '2,5p' "$0"; exit 0 ;; "") ;; *) echo "k8s:down: unknown argument $1 (try --help)" >&2; exit 2 ;; esac

if [ ! -d "$K8S_STATE" ]; then step "no control plane in $K8S_STATE: nothing to stop"; exit 0; fi
stop_component() { # name
  local pid
  pid=$(k8s_pid "$1") || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  step "stopped $1 (pid $pid)"
}

# The node. Its pods first, through the API, so that the kubelet tears each down the normal way
# (CNI DEL removes its address, veth and NAT rules); then kube-proxy, the kubelet, whatever
# containers are left, containerd; then what they leave behind, and only that.
if [ -d "$K8S_STATE/containerd" ]; then
  CTR=(ctr --address "$K8S_CONTAINERD_SOCKET" --namespace k8s.io)
  if k8s_pid kubelet >/dev/null && k8s_pid kube-apiserver >/dev/null; then
    "$K8S_STATE/bin/kubectl" --kubeconfig "$K8S_STATE/admin.kubeconfig" delete pods --all --all-namespaces \
      --grace-period 0 --force --wait=false >/dev/null 2>&1 || true
    for _ in $(seq 1 60); do
      [ -z "$("${CTR[@]}" tasks list -q 2>/dev/null)" ] && break
      sleep 0.5
    done
  fi
  stop_component kube-proxy
  stop_component kubelet
  if k8s_pid containerd >/dev/null; then
    for task in $("${CTR[@]}" tasks list -q 2>/dev/null); do "${CTR[@]}" tasks kill -s SIGKILL "$task" >/dev/null 2>&1 || true; done
    sleep 1
    for task in $("${CTR[@]}" tasks list -q 2>/dev/null); do "${CTR[@]}" tasks delete -f "$task" >/dev/null 2>&1 || true; done
    for container in $("${CTR[@]}" containers list -q 2>/dev/null); do "${CTR[@]}" containers delete "$container" >/dev/null 2>&1 || true; done
  fi
  stop_component containerd
  stop_component kube-scheduler
  stop_component apiserver-relay
  pkill -KILL -f "containerd-shim-runc-v2 .*-address $K8S_CONTAINERD_SOCKET" 2>/dev/null || true
  # Network namespaces of sandboxes that were not torn down (their names are in containerd's data).
  for ns in $(grep -rhoa 'cni-[0-9a-f-]\{36\}' "$K8S_STATE/containerd/root" 2>/dev/null | sort -u || true); do
    ip netns delete "$ns" 2>/dev/null || true
  done
  { findmnt -rn -o TARGET | grep -F "$K8S_STATE/" || true; } | sort -r | while read -r target; do umount -l "$target" 2>/dev/null || true; done
  ip link delete "$K8S_BRIDGE" 2>/dev/null || true
  "$K8S_STATE/bin/kube-proxy" --cleanup >/dev/null 2>&1 || true
  # NAT rules of this pod network that a missed CNI DEL left (bridge's masquerading chains).
  { iptables -t nat -S POSTROUTING 2>/dev/null | grep -F -- "-s ${K8S_POD_CIDR%.*}." | grep -o -- '-j CNI-[0-9a-f]*' || true; } | while read -r _ chain; do
    { iptables -t nat -S POSTROUTING | grep -E -- "-j $chain( |\$)" || true; } | sed 's/^-A /-D /' | while read -r rule; do eval "iptables -t nat $rule" 2>/dev/null || true; done
    iptables -t nat -F "$chain" 2>/dev/null || true; iptables -t nat -X "$chain" 2>/dev/null || true
  done
  # The firewall plugin's rules for this network's pod addresses.
  { iptables -S CNI-FORWARD 2>/dev/null | grep -E -- "-[sd] ${K8S_POD_CIDR%.*}\.[0-9]+/32" || true; } | sed 's/^-A /-D /' | while read -r rule; do
    eval "iptables $rule" 2>/dev/null || true
  done
  # The kubelet's and kube-proxy's own chains, unless another runs on this machine. (The firewall
  # plugin's CNI-FORWARD and CNI-ADMIN are shared by every CNI network on the machine: left.)
  if ! pgrep -x kubelet >/dev/null && ! pgrep -x kube-proxy >/dev/null; then
    for hook in INPUT OUTPUT; do iptables -D "$hook" -j KUBE-FIREWALL 2>/dev/null || true; done
    iptables -t nat -D POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING 2>/dev/null || true
    for table in filter nat mangle; do
      for chain in KUBE-FIREWALL KUBE-KUBELET-CANARY KUBE-PROXY-CANARY KUBE-MARK-DROP KUBE-MARK-MASQ KUBE-POSTROUTING; do
        iptables -t "$table" -F "$chain" 2>/dev/null || true; iptables -t "$table" -X "$chain" 2>/dev/null || true
      done
    done
  fi
  step "removed the node $K8S_NODE_NAME (pods, containers, mounts, $K8S_BRIDGE, its iptables rules)"
fi

# The controllers first, etcd last.
for name in kube-controller-manager kube-apiserver etcd; do
  pid=$(k8s_pid "$name") || continue
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  step "stopped $name (pid $pid)"
done
rm -rf "$K8S_STATE"
step "removed $K8S_STATE"
