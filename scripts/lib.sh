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

# Starts dockerd in the background when no engine answers; waits until it does.
ensure_dockerd() {
  if docker info >/dev/null 2>&1; then return 0; fi
  step "starting dockerd (log: /var/log/bso-dockerd.log)"
  as_root sh -c 'nohup dockerd >/var/log/bso-dockerd.log 2>&1 &'
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && return 0
    sleep 1
  done
  echo "dockerd did not start within 60 s; see /var/log/bso-dockerd.log" >&2
  tail -20 /var/log/bso-dockerd.log >&2 || true
  return 1
}

ensure_swarm() {
  local state
  state=$(docker info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null || echo unknown)
  if [ "$state" = active ]; then return 0; fi
  step "initialising a single-node Swarm"
  docker swarm init --advertise-addr 127.0.0.1 >/dev/null
}
