# Shared helpers for the setup, demo and test scripts. Source it; do not run it.

step() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Installs the Debian packages that are missing (dpkg -s is the check; apt-get update once).
ensure_debian_packages() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  step "installing Debian packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# npm ci when node_modules is missing or older than package-lock.json.
ensure_npm_packages() {
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    step "installing npm packages"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

# The address this machine's Swarm manager advertises to other nodes: a private address of our
# own on the loopback interface, so that nodes in network namespaces (scripts/swarm-node.sh) reach
# the manager and its overlay traffic. 127.0.0.1 would do for one node only: every other node
# would send to its own loopback. Override with BSO_SWARM_ADVERTISE_ADDR.
BSO_SWARM_ADDR_DEFAULT=10.213.255.1

# Adds the advertise address to lo when it is one of ours and missing (it does not survive a reboot).
ensure_swarm_address() {
  local addr=${BSO_SWARM_ADVERTISE_ADDR:-$BSO_SWARM_ADDR_DEFAULT}
  case "$addr" in
    127.*) return 0 ;;
  esac
  if ! grep -q " inet $addr/" <<<"$(ip -o -4 addr show)"; then
    [ "$addr" = "$BSO_SWARM_ADDR_DEFAULT" ] || { echo "the Swarm advertise address $addr is not on any interface" >&2; return 1; }
    as_root ip addr add "$addr/32" dev lo
  fi
}

# Starts the Docker engine when none answers and waits until it does: systemd's docker.service
# where systemd runs, else dockerd in the background (log: /var/log/bso-dockerd.log). Installs
# Debian's docker.io when there is no docker at all.
ensure_dockerd() {
  command -v docker >/dev/null && command -v dockerd >/dev/null || ensure_debian_packages docker.io
  ensure_swarm_address
  if docker info >/dev/null 2>&1; then return 0; fi
  if [ -d /run/systemd/system ] && systemctl cat docker.service >/dev/null 2>&1; then
    step "starting docker.service"
    as_root systemctl start docker.service
  else
    start_dockerd_in_background
  fi
  wait_for_docker 60
}

# flock: two setups at once start one dockerd. A pidfile left by a dockerd that died would stop
# the next one from starting.
start_dockerd_in_background() {
  as_root sh -c '
    exec 9>/run/bso-dockerd.lock; flock 9
    docker info >/dev/null 2>&1 && exit 0
    pid=$(cat /var/run/docker.pid 2>/dev/null || true)
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then rm -f /var/run/docker.pid; fi
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then exit 0; fi
    echo "==> starting dockerd (log: /var/log/bso-dockerd.log)" >&2
    setsid -f dockerd >>/var/log/bso-dockerd.log 2>&1 </dev/null 9>&-
    for _ in $(seq 1 50); do [ -S /var/run/docker.sock ] && break; sleep 0.2; done'
}

wait_for_docker() {
  local seconds=$1
  for _ in $(seq 1 $((seconds * 5))); do
    docker info >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "dockerd did not answer within $seconds s; its log (/var/log/bso-dockerd.log) ends with:" >&2
  tail -20 /var/log/bso-dockerd.log >&2 || true
  echo "see docs/images.md, 'Troubleshooting dockerd'" >&2
  return 1
}

# Initialises a single-node Swarm when this engine is in none; waits while a join is pending.
ensure_swarm() {
  local state
  for _ in $(seq 1 30); do
    state=$(docker info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null || echo unknown)
    [ "$state" = pending ] || break
    sleep 1
  done
  case "$state" in
    active) return 0 ;;
    inactive)
      local addr=${BSO_SWARM_ADVERTISE_ADDR:-$BSO_SWARM_ADDR_DEFAULT}
      step "initialising a single-node Swarm (advertising $addr)"
      docker swarm init --advertise-addr "$addr" >/dev/null ;;
    *)
      echo "this engine's Swarm is '$state': $(docker info --format '{{.Swarm.Error}}' 2>/dev/null)" >&2
      echo "fix it by hand (docker swarm leave --force removes every service) and run setup again" >&2
      return 1 ;;
  esac
}
