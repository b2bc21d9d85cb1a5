#!/usr/bin/env bash
# Sets up, builds and runs every test: a Release build with -Werror (CUDA kernels compiled when nvcc
# is present) running all ctest labels, then an ASan+UBSan build running the unit and e2e tests.
#   scripts/test.sh                 # everything (what CI runs)
#   ENGRAM_SKIP_ASAN=1 scripts/test.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
JOBS="${ENGRAM_JOBS:-2}"

scripts/setup.sh

echo "== release build"
cmake --preset release >/dev/null
cmake --build --preset release -j "$JOBS"
echo "== release tests"
ctest --preset release -j "$JOBS"

if [[ "${ENGRAM_SKIP_ASAN:-0}" != 1 ]]; then
  echo "== asan+ubsan build"
  cmake --preset asan >/dev/null
  cmake --build --preset asan -j "$JOBS"
  echo "== asan+ubsan tests (unit, e2e)"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --preset asan -j "$JOBS"
fi
