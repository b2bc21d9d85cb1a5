#!/usr/bin/env bash
# Installs everything engram needs to build and test on Debian 12: the Debian packages (apt) and the
# C sources taken from npm (tree-sitter runtime + grammars, pinned in package-lock.json, `npm ci`).
# Idempotent and quiet when everything is present. Needs root (or sudo) only when packages are missing.
#
#   scripts/setup.sh            # everything
#   scripts/setup.sh --check    # report what is missing, install nothing (exit 1 if anything is)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CHECK_ONLY=0
[[ "${1:-}" == "--check" ]] && CHECK_ONLY=1

# Build and test dependencies, from Debian 12 (bookworm). Versions and pitfalls: ../shared/DEPENDENCIES.md.
DEBIAN_PACKAGES=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  libgrpc++-dev libgrpc-dev protobuf-compiler-grpc protobuf-compiler libprotobuf-dev
  libgit2-dev libsqlite3-dev libboost-dev libpcre2-dev libssl-dev
  libcli11-dev libspdlog-dev nlohmann-json3-dev libtomlplusplus-dev
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  nodejs npm
)

die() { echo "setup: $*" >&2; exit 1; }

missing=()
for p in "${DEBIAN_PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
# The image may carry node and npm outside Debian's packages: accept those.
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=()
  for p in "${missing[@]}"; do [[ "$p" == nodejs || "$p" == npm ]] || filtered+=("$p"); done
  missing=("${filtered[@]}")
fi

if ((${#missing[@]})); then
  ((CHECK_ONLY)) && die "missing Debian packages: ${missing[*]}"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || die "missing Debian packages (${missing[*]}) and not root; run as root or install sudo"
    SUDO="sudo"
  fi
  echo "setup: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! $SUDO apt-get update -qq >/tmp/engram-apt-update.log 2>&1; then
    cat /tmp/engram-apt-update.log >&2
    die "apt-get update failed: the Debian package registry cannot be reached (see above)"
  fi
  if ! $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/engram-apt-install.log 2>&1; then
    tail -20 /tmp/engram-apt-install.log >&2
    die "apt-get install failed for: ${missing[*]} (see above)"
  fi
fi

# npm: C sources of tree-sitter and its grammars. Reinstall only when the lock file changed.
stamp="$ROOT/node_modules/.engram-lock.sha256"
want=$(sha256sum "$ROOT/package-lock.json" | cut -d' ' -f1)
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" || ! -d "$ROOT/node_modules/tree-sitter/vendor" ]]; then
  ((CHECK_ONLY)) && die "npm packages are not installed (run scripts/setup.sh)"
  echo "setup: installing npm packages (tree-sitter runtime and grammars) with npm ci"
  if ! (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error >/tmp/engram-npm.log 2>&1); then
    tail -20 /tmp/engram-npm.log >&2
    die "npm ci failed: the npm registry cannot be reached or package-lock.json is inconsistent (see above)"
  fi
  echo "$want" >"$stamp"
fi
exit 0
