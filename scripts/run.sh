#!/usr/bin/env bash
# The main job: set up, build (Release), start engramd in the background for this repository (if it
# is not running yet), index this repository (libgit2 + tree-sitter + SQLite) and print the summary and
# a few searches and a project-memory retrieval, load the tiny deepseek2 test model shipped in tests/golden, stream a short completion
# from it, and print the daemon's status. The daemon keeps running; stop it with
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
ENGRAM="$BIN/clients/cli/engram"
"$ENGRAM" daemon start --engramd "$BIN/daemon/engramd"
echo "== indexing $ROOT"
"$ENGRAM" index "$ROOT"
echo "== engram search Indexer --exact"
"$ENGRAM" search --exact Indexer -w "$ROOT" -n 5
echo "== engram refs ParseAndStore"
"$ENGRAM" refs ParseAndStore -w "$ROOT" -n 5
echo "== engram context (the project memory: items and why they were chosen)"
"$ENGRAM" context --brief --budget 3000 -w "$ROOT" --file repo_index/query/workspace_memory.cc --line 120 \
  "where are the symbol graph's seeds built from the query identifiers?"
"$ENGRAM" model load "$ROOT/tests/golden/deepseek2/tiny-f32.gguf"
echo "== completion from the tiny random-weight model (its text is noise by construction)"
"$ENGRAM" complete --max-tokens 24 "int main(void) {"
"$ENGRAM" status
if ((STOP)); then
  "$BIN/clients/cli/engram" shutdown
fi
