#!/usr/bin/env bash
# Builds the Kubernetes control-plane binaries the test suite runs against, from Debian's source
# package `kubernetes` (1.20.2), and caches them per machine. Prints the binaries' folder on its
# last line. Quick when the cache has them.
#
#   bash scripts/k8s/build.sh [COMPONENT ...]    default: kube-apiserver kube-controller-manager
#
# kubectl is always built too (Debian's kubernetes-client package is the same source built with
# the same Go, and crashes the same way without the patch below).
# Cache: $BSO_K8S_CACHE (default /var/cache/bso-k8s as root, else ~/.cache/bso-k8s), keyed by the
# Debian source version, K8S_BUILD_RECIPE (lib.sh) and the patch.
# Needs: golang-go (>= 1.18; Debian's 1.19), jq, rsync, dpkg-dev, etcd-server (installed if missing).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../lib.sh"
source "$HERE/lib.sh"

case "${1:-}" in -h|--help) sed -n '2,11p' "$0"; exit 0 ;; esac
COMPONENTS=("$@")
[ ${#COMPONENTS[@]} -gt 0 ] || COMPONENTS=(kube-apiserver kube-controller-manager)
for c in "${COMPONENTS[@]}"; do
  case "$c" in
    kube-apiserver|kube-controller-manager|kube-scheduler|kubelet|kube-proxy|kubectl) ;;
    *) echo "build.sh: unknown component \"$c\" (kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy, kubectl)" >&2; exit 2 ;;
  esac
done
[[ " ${COMPONENTS[*]} " == *" kubectl "* ]] || COMPONENTS+=(kubectl)

BIN="$(k8s_bin_dir)"
missing=()
for c in "${COMPONENTS[@]}"; do [ -x "$BIN/$c" ] || missing+=("$c"); done
if [ ${#missing[@]} -eq 0 ]; then echo "$BIN"; exit 0; fi

ensure_debian_packages golang-go jq rsync dpkg-dev etcd-server openssl
mkdir -p "$BIN"
exec 9>"$K8S_CACHE/build.lock"
flock 9

# Debian's archive, through apt's own machinery, with the project's list file and a private state
# folder: the machine's sources stay as they are.
apt_private() {
  mkdir -p "$K8S_CACHE/apt/lists/partial" "$K8S_CACHE/apt/cache/archives/partial"
  apt-get -q -o Dir::Etc::SourceList="$HERE/debian-sources.list" -o Dir::Etc::SourceParts=/nonexistent \
    -o Dir::State::Lists="$K8S_CACHE/apt/lists" -o Dir::Cache="$K8S_CACHE/apt/cache" \
    -o APT::Sandbox::User=root "$@"
}

if [ ${#missing[@]} -gt 0 ]; then
  SRC="$K8S_CACHE/src/$K8S_DEB_VERSION"
  if [ ! -f "$SRC/.patched" ]; then
    step "fetching the source package kubernetes $K8S_DEB_VERSION"
    apt_private update >/dev/null
    rm -rf "$SRC" "$SRC.dl"; mkdir -p "$SRC.dl"
    (cd "$SRC.dl" && apt_private source --download-only "kubernetes=$K8S_DEB_VERSION" >/dev/null \
      && dpkg-source -q -x ./*.dsc tree 2>&1 >/dev/null | { grep -v "^gpgv:" || true; } >&2)
    mv "$SRC.dl/tree" "$SRC"; rm -rf "$SRC.dl"
    # reflect2 1.0.1 (vendored) reads a map iterator the way Go < 1.18 laid it out and crashes on
    # the first custom-resource create under newer Go; reflect2 1.0.2's fix, as a patch.
    (cd "$SRC" && patch -s -p1 < "$HERE/reflect2-go1.18.patch")
    touch "$SRC/.patched"
  fi
  step "building ${missing[*]} from source (first time on this machine; on 2 cores about 7 minutes for the control plane, 14 with the node's components)"
  started=$(date +%s)
  targets=()
  for c in "${missing[@]}"; do targets+=("cmd/$c"); done
  (cd "$SRC" && env HOME="$K8S_CACHE/home" GOCACHE="$K8S_CACHE/go-build" GOFLAGS=-mod=vendor \
    make WHAT="${targets[*]}" GOLDFLAGS="-s -w" >"$K8S_CACHE/build.log" 2>&1) || {
    echo "building ${missing[*]} failed; the end of $K8S_CACHE/build.log:" >&2
    tail -30 "$K8S_CACHE/build.log" >&2
    exit 1
  }
  for c in "${missing[@]}"; do install -m 0755 "$SRC/_output/bin/$c" "$BIN/$c"; done
  step "built ${missing[*]} in $(( $(date +%s) - started )) s"
fi
echo "$BIN"
