#!/bin/sh
# Installs the pinned npm package playwright-core into <dir>/node_modules for ConsoleIT, which drives
# a real Chromium with it. Once: an installed package of the right version is kept.
#
# usage: fetch-playwright.sh <version> <dir>
#
# Without npm it says so and installs nothing; ConsoleIT then fails under CI=true and skips elsewhere.
set -eu
version="$1"
dir="$2"
installed="$dir/node_modules/playwright-core/package.json"
if [ -f "$installed" ] && grep -q "\"version\": \"$version\"" "$installed"; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "warning: npm is not on PATH, so playwright-core $version is not installed; ConsoleIT needs it" >&2
  exit 0
fi
mkdir -p "$dir"
# --ignore-scripts: playwright-core downloads no browser anyway; the test uses Debian's chromium
npm install --silent --no-save --no-package-lock --no-audit --no-fund --ignore-scripts \
  --prefix "$dir" "playwright-core@$version"
