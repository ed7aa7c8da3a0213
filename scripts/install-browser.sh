#!/usr/bin/env bash
# Installs what the console's browser tests (ConsoleBrowserTest) drive: Debian's chromium and its
# chromedriver, at /usr/bin/chromium and /usr/bin/chromedriver (Selenium Manager cannot download a
# driver on these machines, so the tests name both paths). Does nothing when both are there; else
# installs them with apt-get (about 100 MB), as root or through sudo. mvn -B verify runs it before the tests.
#
#   scripts/install-browser.sh
set -euo pipefail

if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    echo "chromium and chromedriver present: $(/usr/bin/chromium --version 2>/dev/null || echo '?')"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    AS_ROOT=()
elif command -v sudo >/dev/null 2>&1; then
    AS_ROOT=(sudo)
else
    echo "scripts/install-browser.sh: chromium and chromium-driver are missing and this user cannot install them;" >&2
    echo "  as root: apt-get install -y chromium chromium-driver" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
echo "Installing chromium and chromium-driver (Debian) for the console's browser tests"
# a fresh machine may have no package lists yet: update once when the first try cannot find them
if ! "${AS_ROOT[@]}" apt-get install -y -q chromium chromium-driver; then
    "${AS_ROOT[@]}" apt-get update -q
    "${AS_ROOT[@]}" apt-get install -y -q chromium chromium-driver
fi
/usr/bin/chromium --version
