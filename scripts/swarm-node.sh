#!/usr/bin/env bash
# More Swarm nodes on one machine, for multi-node tests (docs/images.md, "Several nodes on one
# machine"). Each node is a second dockerd in a network namespace of its own, connected to this
# machine by a veth pair with private addresses we create (10.213.N.1 here, 10.213.N.2 in the
# node), joined to the swarm as a worker, with bso's images loaded into it.
#   scripts/swarm-node.sh up [NAME]       NAME: node2 (default) .. node99; idempotent
#   scripts/swarm-node.sh init NAME       a node that is the manager of a swarm of its own, apart
#                                         from this machine's (join others to it with
#                                         BSO_SWARM_MANAGER=unix:///run/bso-NAME/docker.sock)
#   scripts/swarm-node.sh load [NAME]     load the current images again (after a rebuild)
#   scripts/swarm-node.sh down [NAME]     leave the swarm, stop the dockerd, remove everything (also
#                                         after `kill`: the manager forgets the node)
#   scripts/swarm-node.sh partition NAME  cut the node's link (its veth on this machine goes down)
#   scripts/swarm-node.sh heal NAME       bring the link back
#   scripts/swarm-node.sh kill NAME       node loss: SIGKILL the node's dockerd, containerd, shims and
#                                         containers at once (the link stays; nothing answers on it)
#   scripts/swarm-node.sh status          every node this script made
#   scripts/swarm-node.sh docker NAME ARGS...   run the docker CLI against the node's engine
# Environment: BSO_SWARM_MANAGER  docker host (-H) of the manager to join (default: this engine)
#              BSO_NODE_IMAGES    images to load (default: the bso images present here)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

SUBNET_PREFIX=10.213
DEFAULT_IMAGES=(bso-base:bookworm bso-hello-api:latest bso-haproxy:latest bso-operator:latest)

usage() { sed -n '2,20p' "$0" >&2; exit 2; }

# Paths and addresses of node NAME; the number in the name picks the /30.
node_vars() {
  NAME=$1
  [[ "$NAME" =~ ^node([1-9][0-9]?)$ ]] || { echo "swarm-node: NAME must be node1..node99, not '$NAME'" >&2; exit 2; }
  local n=${BASH_REMATCH[1]}
  NETNS=bso-$NAME
  VETH_HOST=bso-$NAME-h
  VETH_NODE=bso-$NAME-n
  HOST_ADDR=$SUBNET_PREFIX.$n.1
  NODE_ADDR=$SUBNET_PREFIX.$n.2
  RUN_DIR=/run/bso-$NAME
  DATA_ROOT=/var/lib/bso-$NAME
  LOG=/var/log/bso-$NAME-dockerd.log
  SOCK=unix://$RUN_DIR/docker.sock
  PIDFILE=$RUN_DIR/docker.pid
  NODE_ID_FILE=$RUN_DIR/node-id
  CONTAINERD_SOCK=$RUN_DIR/exec/containerd/containerd.sock
}

node_docker() { docker -H "$SOCK" "$@"; }
manager_docker() { if [ -n "${BSO_SWARM_MANAGER:-}" ]; then docker -H "$BSO_SWARM_MANAGER" "$@"; else docker "$@"; fi; }
# alive: running and not a zombie (a killed dockerd's parent, init, may reap it late)
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }
dockerd_pid() { local pid; pid=$(cat "$PIDFILE" 2>/dev/null || true); alive "$pid" && echo "$pid"; }

# The manager's advertised address; a loopback address cannot be reached from another node.
manager_address() {
  local addr control
  control=$(manager_docker info --format '{{.Swarm.ControlAvailable}}' 2>/dev/null || echo false)
  [ "$control" = true ] || { echo "swarm-node: the engine ${BSO_SWARM_MANAGER:-of this machine} is no Swarm manager (run npm run setup)" >&2; exit 1; }
  addr=$(manager_docker info --format '{{.Swarm.NodeAddr}}')
  case "$addr" in
    127.*|::1)
      cat >&2 <<EOF
swarm-node: this swarm's manager advertises $addr, which a node in another network namespace
cannot reach (it would reach its own loopback). Initialise the swarm again with an address of
ours (this removes every service, network, secret and config of the swarm):
  docker swarm leave --force && npm run setup     # advertises $BSO_SWARM_ADDR_DEFAULT on lo
EOF
      exit 1 ;;
  esac
  echo "$addr"
}

# Traffic between nodes (and to a manager that is itself a node) is forwarded by this machine;
# Docker's FORWARD policy is DROP, so our private range is let through, and nothing else.
ensure_forwarding() {
  sysctl -qw net.ipv4.ip_forward=1
  iptables -C FORWARD -s "$SUBNET_PREFIX.0.0/16" -d "$SUBNET_PREFIX.0.0/16" -j ACCEPT 2>/dev/null ||
    iptables -I FORWARD -s "$SUBNET_PREFIX.0.0/16" -d "$SUBNET_PREFIX.0.0/16" -j ACCEPT
}

remove_forwarding_when_unused() {
  compgen -G "/var/run/netns/bso-node*" >/dev/null && return 0
  while iptables -C FORWARD -s "$SUBNET_PREFIX.0.0/16" -d "$SUBNET_PREFIX.0.0/16" -j ACCEPT 2>/dev/null; do
    iptables -D FORWARD -s "$SUBNET_PREFIX.0.0/16" -d "$SUBNET_PREFIX.0.0/16" -j ACCEPT
  done
}

create_network() {
  if [ ! -e "/var/run/netns/$NETNS" ]; then ip netns add "$NETNS"; fi
  if ! ip link show "$VETH_HOST" >/dev/null 2>&1; then
    ip link add "$VETH_HOST" type veth peer name "$VETH_NODE"
    ip link set "$VETH_NODE" netns "$NETNS"
    ip netns exec "$NETNS" ip link set "$VETH_NODE" name eth0
    ip addr add "$HOST_ADDR/30" dev "$VETH_HOST"
    ip link set "$VETH_HOST" up
    ip netns exec "$NETNS" ip addr add "$NODE_ADDR/30" dev eth0
    ip netns exec "$NETNS" ip link set lo up
    ip netns exec "$NETNS" ip link set eth0 up
    # our range only (the manager on this machine's lo, other nodes), through this machine; no
    # default route, so nothing leaves for elsewhere (a registry pull fails at once)
    ip netns exec "$NETNS" ip route add "$SUBNET_PREFIX.0.0/16" via "$HOST_ADDR"
  fi
  ip link set "$VETH_HOST" up   # after `partition`, `up` connects the node again
  ensure_forwarding
  prefer_advertised_source
}

# When this machine's engine advertises an address on lo, its packets to the node must come from
# that address: the node's overlay (VXLAN with static peers) drops packets from any other source,
# and the kernel would pick the veth's address.
prefer_advertised_source() {
  local addr
  addr=$(docker info --format '{{.Swarm.NodeAddr}}' 2>/dev/null || true)
  case "$addr" in ''|127.*) return 0 ;; esac
  grep -q " inet $addr/" <<<"$(ip -o -4 addr show dev lo)" || return 0
  ip route replace "${HOST_ADDR%.1}.0/30" dev "$VETH_HOST" src "$addr"
}

# nsenter, not `ip netns exec`: the latter remounts /sys, hiding the cgroup mounts dockerd needs.
start_dockerd() {
  if dockerd_pid >/dev/null; then return 0; fi
  mkdir -p "$RUN_DIR" "$DATA_ROOT"
  echo '{}' >"$RUN_DIR/daemon.json"   # not /etc/docker/daemon.json, which belongs to this machine's engine
  step "starting dockerd of $NAME (log: $LOG)"
  # The daemon must not inherit our open files beyond stdio: a caller's `flock` lock would be held
  # for as long as the node's dockerd runs.
  (
    for fd in /proc/$BASHPID/fd/*; do
      fd=${fd##*/}
      if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
    exec nsenter --net="/var/run/netns/$NETNS" setsid -f dockerd \
      --config-file "$RUN_DIR/daemon.json" --data-root "$DATA_ROOT" --exec-root "$RUN_DIR/exec" \
      --pidfile "$PIDFILE" -H "$SOCK" >>"$LOG" 2>&1 </dev/null
  )
  for _ in $(seq 1 150); do
    node_docker info >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  tail -20 "$LOG" >&2
  echo "swarm-node: the dockerd of $NAME did not answer within 30 s" >&2
  exit 1
}

join_swarm() {
  local manager=$1 state token
  state=$(node_docker info --format '{{.Swarm.LocalNodeState}}')
  if [ "$state" != active ]; then
    token=$(manager_docker swarm join-token -q worker)
    step "joining $NAME ($NODE_ADDR) to the swarm of $manager"
    node_docker swarm join --token "$token" --advertise-addr "$NODE_ADDR" --listen-addr "$NODE_ADDR:2377" "$manager:2377" >/dev/null
  fi
  # kept for `down` after `kill`, when the node's engine can no longer tell its id
  node_docker info --format '{{.Swarm.NodeID}}' >"$NODE_ID_FILE"
}

# Every process the node's engine runs: dockerd, its containerd, the shims (found by the
# containerd address on their command line) and the containers under them.
node_processes() {
  local pids=() pid cmdline
  pid=$(dockerd_pid || true); [ -z "$pid" ] || pids+=("$pid")
  pid=$(cat "$RUN_DIR/exec/containerd/containerd.pid" 2>/dev/null || true)
  ! alive "$pid" || pids+=("$pid")
  for dir in /proc/[0-9]*; do
    cmdline=$(tr '\0' ' ' <"$dir/cmdline" 2>/dev/null || true)
    case "$cmdline" in *containerd-shim*"-address $CONTAINERD_SOCK "*) pids+=("${dir#/proc/}") ;; esac
  done
  [ ${#pids[@]} -gt 0 ] || return 0
  # descendants of those (the containers' processes), breadth first
  local all=("${pids[@]}") frontier=("${pids[@]}") next
  while [ ${#frontier[@]} -gt 0 ]; do
    next=()
    for pid in "${frontier[@]}"; do
      while read -r child; do [ -n "$child" ] && next+=("$child"); done < <(ps -o pid= --ppid "$pid" 2>/dev/null || true)
    done
    all+=("${next[@]}")
    frontier=("${next[@]}")
  done
  printf '%s\n' "${all[@]}" | sort -un
}

# Copies the images whose IDs differ on the node; one `docker save` shares the common layers.
load_images() {
  local images=() missing=() image
  if [ -n "${BSO_NODE_IMAGES:-}" ]; then read -ra images <<<"$BSO_NODE_IMAGES"; else images=("${DEFAULT_IMAGES[@]}"); fi
  for image in "${images[@]}"; do
    local here there
    here=$(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)
    [ -n "$here" ] || continue
    there=$(node_docker image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)
    [ "$here" = "$there" ] || missing+=("$image")
  done
  [ ${#missing[@]} -gt 0 ] || { echo "images on $NAME are up to date" >&2; return 0; }
  step "loading ${missing[*]} into $NAME"
  docker save "${missing[@]}" | node_docker load -q >/dev/null
}

cmd_up() {
  node_vars "${1:-node2}"
  local manager
  manager=$(manager_address)
  create_network
  start_dockerd
  join_swarm "$manager"
  load_images
  step "$NAME is up: engine $SOCK, address $NODE_ADDR, swarm node $(node_docker info --format '{{.Swarm.NodeID}}')"
}

cmd_init() {
  node_vars "${1:-}"
  create_network
  start_dockerd
  if [ "$(node_docker info --format '{{.Swarm.LocalNodeState}}')" != active ]; then
    step "initialising a swarm on $NAME ($NODE_ADDR)"
    node_docker swarm init --advertise-addr "$NODE_ADDR" --listen-addr "$NODE_ADDR:2377" >/dev/null
  fi
  load_images
  step "$NAME is up as a manager: BSO_SWARM_MANAGER=$SOCK"
}

cmd_load() {
  node_vars "${1:-node2}"
  node_docker info >/dev/null 2>&1 || { echo "swarm-node: $NAME is not up" >&2; exit 1; }
  load_images
}

cmd_partition() {
  node_vars "$1"
  ip link show "$VETH_HOST" >/dev/null 2>&1 || { echo "swarm-node: $NAME has no link (is it up?)" >&2; exit 1; }
  ip link set "$VETH_HOST" down
  step "$NAME is cut off ($VETH_HOST down)"
}

cmd_heal() {
  node_vars "$1"
  ip link set "$VETH_HOST" up
  prefer_advertised_source
  step "$NAME is connected again ($VETH_HOST up)"
}

cmd_kill() {
  node_vars "$1"
  local pids=()
  mapfile -t pids < <(node_processes)
  [ ${#pids[@]} -gt 0 ] || { echo "swarm-node: $NAME runs no processes" >&2; exit 1; }
  kill -KILL "${pids[@]}" 2>/dev/null || true
  step "$NAME lost: SIGKILL to ${#pids[@]} processes (dockerd, containerd, shims, containers)"
}

cmd_down() {
  node_vars "${1:-node2}"
  local node_id="" pid
  if node_docker info >/dev/null 2>&1; then
    node_id=$(node_docker info --format '{{.Swarm.NodeID}}')
    [ -z "$node_id" ] || node_docker swarm leave --force >/dev/null 2>&1 || true
  fi
  [ -n "$node_id" ] || node_id=$(cat "$NODE_ID_FILE" 2>/dev/null || true)
  if [ -n "$node_id" ] && manager_docker node inspect "$node_id" >/dev/null 2>&1; then
    manager_docker node rm --force "$node_id" >/dev/null || true
  fi
  if pid=$(dockerd_pid); then
    step "stopping dockerd of $NAME (pid $pid)"
    kill -TERM "$pid"
    for _ in $(seq 1 150); do alive "$pid" || break; sleep 0.2; done
    if alive "$pid"; then kill -KILL "$pid"; sleep 0.5; fi
  fi
  # what a killed engine left running (containerd, shims, containers)
  local left=()
  mapfile -t left < <(node_processes)
  if [ ${#left[@]} -gt 0 ]; then kill -KILL "${left[@]}" 2>/dev/null || true; sleep 0.5; fi
  # mounts left by the engine (container layers, network namespaces), deepest first
  { grep -E " ($DATA_ROOT|$RUN_DIR)[/ ]" /proc/mounts || true; } | awk '{print $2}' | sort -r | while read -r mount; do
    umount -l "$mount" 2>/dev/null || true
  done
  ip link del "$VETH_HOST" 2>/dev/null || true
  [ ! -e "/var/run/netns/$NETNS" ] || ip netns del "$NETNS"
  rm -rf --one-file-system "$DATA_ROOT" "$RUN_DIR"
  remove_forwarding_when_unused
  step "$NAME is down"
}

cmd_status() {
  local found=0 ns
  for ns in /var/run/netns/bso-node*; do
    [ -e "$ns" ] || continue
    found=1
    node_vars "${ns##*/bso-}"
    local pid state
    pid=$(dockerd_pid || echo "-")
    state=$(node_docker info --format '{{.Swarm.LocalNodeState}} {{.Swarm.NodeID}}' 2>/dev/null) || state="- (engine not answering)"
    printf '%-7s %-11s dockerd pid %-7s swarm %s\n' "$NAME" "$NODE_ADDR" "$pid" "$state"
  done
  [ "$found" = 1 ] || echo "no extra nodes (scripts/swarm-node.sh up)"
}

[ "$(id -u)" = 0 ] || exec sudo "$0" "$@"
command=${1:-}
[ $# -eq 0 ] || shift
case "$command" in
  up) cmd_up "$@" ;;
  init) [ $# -ge 1 ] || usage; cmd_init "$@" ;;
  load) cmd_load "$@" ;;
  down) cmd_down "$@" ;;
  status) cmd_status ;;
  partition) [ $# -ge 1 ] || usage; cmd_partition "$1" ;;
  heal) [ $# -ge 1 ] || usage; cmd_heal "$1" ;;
  kill) [ $# -ge 1 ] || usage; cmd_kill "$1" ;;
  docker) [ $# -ge 1 ] || usage; node_vars "$1"; shift; node_docker "$@" ;;
  *) usage ;;
esac
