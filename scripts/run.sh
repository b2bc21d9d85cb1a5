#!/usr/bin/env bash
# The main job: set up, build (Release), start engramd in the background for this repository (if it
# is not running yet) and print its status. The daemon keeps running; stop it with
# `build/release/clients/cli/engram shutdown` (or pass --stop to stop it after printing).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
STOP=0
[[ "${1:-}" == "--stop" ]] && STOP=1

scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "${ENGRAM_JOBS:-2}" --target engramd engram >/dev/null

BIN="$ROOT/build/release"
"$BIN/clients/cli/engram" daemon start --engramd "$BIN/daemon/engramd"
"$BIN/clients/cli/engram" status
if ((STOP)); then
  "$BIN/clients/cli/engram" shutdown
fi
