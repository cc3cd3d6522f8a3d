#!/usr/bin/env bash
#
# Installs what the tests need besides Java 17 and Maven, from Debian's packages: chromium (the headless browser that
# opens report.html in ReportBrowserTest) with fonts, and docker.io + docker-compose + debootstrap (scripts/docker-smoke:
# a private Docker engine, the compose mini-cluster and a locally made Debian base image). Installs only what is
# missing.
# Needs root or sudo; .ci/run calls it before the tests (about 60 s on a fresh machine).
#
# Environment: none.
# Usage: scripts/install-test-tools.sh
set -euo pipefail

packages=()
command -v chromium > /dev/null 2>&1 || packages+=(chromium fonts-liberation)
command -v dockerd > /dev/null 2>&1 || packages+=(docker.io)
command -v docker-compose > /dev/null 2>&1 || docker compose version > /dev/null 2>&1 || packages+=(docker-compose)
command -v debootstrap > /dev/null 2>&1 || [[ -x /usr/sbin/debootstrap ]] || packages+=(debootstrap)
if [[ ${#packages[@]} -eq 0 ]]; then
  exit 0
fi
sudo=""
if [[ "$(id -u)" -ne 0 ]]; then
  command -v sudo > /dev/null 2>&1 || { echo "error: installing ${packages[*]} needs root or sudo" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq "${packages[@]}" > /dev/null
for tool in chromium dockerd; do
  command -v "$tool" > /dev/null 2>&1 || { echo "error: $tool did not install" >&2; exit 1; }
done
echo "installed ${packages[*]}"
