#!/usr/bin/env bash
#
# Installs what the test suite needs besides Java 17 and Maven, from Debian's packages: chromium (the headless
# browser that opens report.html in ReportBrowserTest) and fonts for it. Does nothing when chromium is there.
# Needs root or sudo; .ci/run calls it before the tests (about 30 s on a fresh machine).
#
# Environment: none.
# Usage: scripts/install-test-tools.sh
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
sudo=""
if [[ "$(id -u)" -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 || { echo "error: installing chromium needs root or sudo" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq chromium fonts-liberation >/dev/null
command -v chromium >/dev/null 2>&1 || { echo "error: chromium did not install" >&2; exit 1; }
echo "installed $(chromium --version 2>/dev/null)"
