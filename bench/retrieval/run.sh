#!/usr/bin/env bash
# The retrieval evaluation on the Linux 6.1 source (Debian package linux-source-6.1).
#   bash bench/retrieval/run.sh [--keep DIR]     (builds the `bench` preset first)
# Unpacks the tarball into a temporary directory (or reuses DIR from an earlier --keep run, whose
# index and n-gram memory are then only brought up to date), makes it a git repository with nothing
# committed, indexes it with engram-index, and runs retrieval_bench. Prints markdown tables.
set -euo pipefail
cd "$(dirname "$0")/../.."
tarball=/usr/src/linux-source-6.1.tar.xz
keep=""
if [[ ${1:-} == --keep ]]; then keep=${2:?--keep needs a directory}; fi
cmake --preset bench >/dev/null
cmake --build --preset bench --target retrieval_bench engram-index -- -j2
if [[ -n $keep && -d $keep/src ]]; then
  tmp=$keep
else
  if [[ ! -f $tarball ]]; then
    echo "bench/retrieval: $tarball is missing: apt-get install linux-source-6.1" >&2
    exit 1
  fi
  tmp=${keep:-$(mktemp -d /tmp/engram-retrieval-bench.XXXXXX)}
  mkdir -p "$tmp"
  if [[ -z $keep ]]; then trap 'rm -rf "$tmp"' EXIT; fi
  echo "unpacking $tarball into $tmp ..." >&2
  tar -xJf "$tarball" -C "$tmp"
  mv "$(find "$tmp" -mindepth 1 -maxdepth 1 -type d | head -1)" "$tmp/src"
  # As in bench/index/run.sh: Debian's packaging lines in the top-level .gitignore ignore everything.
  sed -i -e '\|^/\*$|d' -e '\|^!/debian/$|d' "$tmp/src/.gitignore"
  git -C "$tmp/src" init -q
fi
echo "indexing ..." >&2
/usr/bin/time -f "index: %e s, peak RSS %M KiB" \
  build/bench/repo_index/index/engram-index sync --root "$tmp/src" --db "$tmp/index.db" --threads "$(nproc)" >/dev/null
build/bench/bench/retrieval_bench --root "$tmp/src" --db "$tmp/index.db" --ngram "$tmp/ngram" "${@:3}"
