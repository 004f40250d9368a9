#!/usr/bin/env bash
# Builds bso's images (called by npm run setup; docs/images.md):
#   bso-base:bookworm       offline base (images/base/build.sh), unless BSO_BASE_IMAGE names another
#   bso-hello-api:latest    api/Dockerfile
#   bso-haproxy:latest      haproxy/Dockerfile
#   bso-operator:latest     operator/Dockerfile
# The three app images share every layer up to their app files (the base, Debian packages, the
# users). Each then gets its own staged context (.cache/images/context/<image>: package.json, its
# bin/ entry, the dist/ modules its program loads, node_modules.tar with the npm packages those
# load and their dependencies; scripts/image-contents.ts decides). An image is rebuilt only when
# the hash of its inputs differs from its org.bso.inputs-hash label.
# Run `npm run build` first.
#   scripts/build-images.sh [--force] [api|haproxy|operator ...]
#   scripts/build-images.sh --stage     only prepare the contexts and print their folder
# Environment: BSO_BASE_IMAGE (e.g. node:20-bookworm-slim; default bso-base:bookworm, built offline).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

declare -A IMAGE_OF=([api]=bso-hello-api:latest [haproxy]=bso-haproxy:latest [operator]=bso-operator:latest)
ALL=(api haproxy operator)
OFFLINE_BASE=bso-base:bookworm
BASE_IMAGE=${BSO_BASE_IMAGE:-$OFFLINE_BASE}
CACHE=.cache/images
CONTEXT=$CACHE/context
DEPENDENCIES=$CACHE/dependencies
# Bump when stage_dependencies changes what it installs.
DEPENDENCIES_RECIPE=3

FORCE=0
STAGE_ONLY=0
SELECTED=()
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    --stage) STAGE_ONLY=1 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    api|haproxy|operator) SELECTED+=("$arg") ;;
    *) echo "build-images: unknown argument $arg" >&2; exit 2 ;;
  esac
done
[ ${#SELECTED[@]} -gt 0 ] || SELECTED=("${ALL[@]}")

# The lines between the shared markers, which must be the same in the three Dockerfiles.
shared_block() { sed -n '/^# --- shared app layers/,/^# --- end of the shared app layers/p' "$1"; }

check_shared_layers() {
  local reference=api/Dockerfile dir
  [ -n "$(shared_block "$reference")" ] || { echo "build-images: $reference has no shared block" >&2; exit 1; }
  for dir in haproxy operator; do
    if ! diff -u <(shared_block "$reference") <(shared_block "$dir/Dockerfile") >&2; then
      echo "build-images: the shared app layers of $dir/Dockerfile differ from $reference (above); keep them identical" >&2
      exit 1
    fi
  done
}

ensure_base_image() {
  if [ "$BASE_IMAGE" = "$OFFLINE_BASE" ]; then
    local options=()
    [ "$FORCE" = 0 ] || options+=(--force)
    bash images/base/build.sh "${options[@]}" "$OFFLINE_BASE"
  elif ! docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
    step "pulling $BASE_IMAGE"
    docker pull -q "$BASE_IMAGE" >/dev/null
  fi
}

# The production packages, installed into $DEPENDENCIES again only when package.json,
# package-lock.json or this recipe change; each image's node_modules.tar takes its share.
# --ignore-scripts: no native builds, so the same tree fits any bookworm-based BASE_IMAGE.
stage_dependencies() {
  local key
  key=$( (echo "recipe $DEPENDENCIES_RECIPE"; cat package.json package-lock.json) | sha256sum | cut -c1-64)
  if [ -d "$DEPENDENCIES/node_modules" ] && [ "$(cat "$CACHE/dependencies.key" 2>/dev/null)" = "$key" ]; then return 0; fi
  step "installing production npm packages for the images"
  rm -rf "$DEPENDENCIES" "$CACHE/dependencies.key"
  mkdir -p "$DEPENDENCIES"
  cp package.json package-lock.json "$DEPENDENCIES/"
  (cd "$DEPENDENCIES" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
  # nothing at run time reads source maps, type declarations or read-me files
  find "$DEPENDENCIES/node_modules" -type f \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.md' \) -delete
  echo "$key" >"$CACHE/dependencies.key"
}

stage_context() {
  if [ ! -d dist ] || [ -z "$(ls -A dist)" ]; then
    echo "build-images: dist/ is empty; run \`npm run build\` first" >&2
    exit 1
  fi
  stage_dependencies
  local name dir list
  rm -rf "${CONTEXT:?}"
  for name in "${ALL[@]}"; do
    dir=$CONTEXT/$name
    list=$CACHE/contents-$name.txt
    mkdir -p "$dir"
    node --import tsx scripts/image-contents.ts "$name" "$PWD/$DEPENDENCIES/node_modules" >"$list"
    # Only the program's own files: bin/ entry and dist/ modules (as compiled), package.json.
    grep -E '^(bin|dist)/' "$list" | while read -r file; do
      mkdir -p "$dir/$(dirname "$file")"
      cp "$file" "$dir/$file"
    done
    cp package.json "$dir/"
    # Each package's files without its nested node_modules (nested packages the program needs are
    # in the list themselves). A fixed order, owner and time keep the tar file byte-identical.
    (cd "$DEPENDENCIES" && grep -E '^node_modules/' "$OLDPWD/$list" | while read -r pkg; do
      find "$pkg" -path "$pkg/node_modules" -prune -o -print
    done) >"$CACHE/files-$name.txt"
    tar -C "$DEPENDENCIES" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --no-recursion \
      --files-from="$CACHE/files-$name.txt" -cf "$dir/node_modules.tar"
  done
}

# One hash of every file in an image's context, names included.
hash_context() {
  (cd "$CONTEXT/$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-64
}

build_image() {
  local name=$1 image=${IMAGE_OF[$1]} context_hash=$2 base_id=$3 key current log
  key=$(printf '%s\n' "$context_hash" "$base_id" "$BASE_IMAGE" | cat - "$name/Dockerfile" | sha256sum | cut -c1-64)
  current=$(docker image inspect -f '{{index .Config.Labels "org.bso.inputs-hash"}}' "$image" 2>/dev/null || true)
  if [ "$FORCE" = 0 ] && [ "$current" = "$key" ]; then
    echo "image $image is up to date" >&2
    return 0
  fi
  step "building $image ($name/Dockerfile on $BASE_IMAGE)"
  log=$CACHE/build-$name.log
  if ! docker build --build-arg BASE_IMAGE="$BASE_IMAGE" --label org.bso.inputs-hash="$key" \
      -t "$image" -f "$name/Dockerfile" "$CONTEXT/$name" >"$log" 2>&1; then
    tail -40 "$log" >&2
    echo "build-images: building $image failed; full log: $log" >&2
    return 1
  fi
}

main() {
  local started base_id name
  started=$(date +%s)
  if [ "$STAGE_ONLY" = 0 ] && ! docker info >/dev/null 2>&1; then
    echo "build-images: no Docker engine answers; run \`npm run setup\` (it starts dockerd)" >&2
    exit 1
  fi
  mkdir -p "$CACHE"
  # one build at a time on this machine: setup may run from several shells
  exec 9>"$CACHE/lock"
  flock 9
  check_shared_layers
  if [ "$STAGE_ONLY" = 0 ]; then
    ensure_base_image
    base_id=$(docker image inspect -f '{{.Id}}' "$BASE_IMAGE")
  fi
  stage_context
  if [ "$STAGE_ONLY" = 1 ]; then
    echo "$PWD/$CONTEXT"
    return 0
  fi
  for name in "${SELECTED[@]}"; do build_image "$name" "$(hash_context "$name")" "$base_id"; done
  # images replaced by this run (now untagged) go, unless a container still uses them
  docker image prune -f --filter label=org.bso.managed=true >/dev/null
  step "images ready in $(( $(date +%s) - started )) s"
}

main
