#!/usr/bin/env bash
# The repository-index benchmark on the Linux 6.1 source (Debian package linux-source-6.1).
#   bash bench/index/run.sh [--keep]      (builds the `bench` preset first)
# Unpacks the tarball into a temporary directory, makes it a git repository with nothing committed,
# and runs index_bench (ours vs universal-ctags, one run). Prints a markdown table.
set -euo pipefail
cd "$(dirname "$0")/../.."
tarball=/usr/src/linux-source-6.1.tar.xz
if [[ ! -f $tarball ]]; then
  echo "bench/index: $tarball is missing: apt-get install linux-source-6.1" >&2
  exit 1
fi
command -v ctags >/dev/null || { echo "bench/index: universal-ctags is missing: apt-get install universal-ctags" >&2; exit 1; }
cmake --preset bench >/dev/null
cmake --build --preset bench --target index_bench engram-index -- -j2
tmp=$(mktemp -d /tmp/engram-index-bench.XXXXXX)
if [[ ${1:-} != --keep ]]; then trap 'rm -rf "$tmp"' EXIT; fi
echo "unpacking $tarball into $tmp ..." >&2
tar -xJf "$tarball" -C "$tmp"
src=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d | head -1)
# Debian's tarball adds "/*" and "!/debian/" to the top-level .gitignore (everything at the top is
# ignored for its packaging repository); drop those two lines so the tree is the kernel's own.
sed -i -e '\|^/\*$|d' -e '\|^!/debian/$|d' "$src/.gitignore"
git -C "$src" init -q
build/bench/bench/index_bench --root "$src" --work "$tmp/work" \
  --engram-index build/bench/repo_index/index/engram-index --threads "$(nproc)"
