#!/bin/sh
# Installs the pinned workerd binary from npm into a cache outside target/, once.
#
# usage: fetch-workerd.sh <version> <cache-root>
# result: <cache-root>/<version>/node_modules/@cloudflare/workerd-linux-64/bin/workerd
#
# The install goes to a temporary sibling directory that is renamed into place when complete,
# so an interrupted or concurrent build never leaves a half-installed binary behind.
set -eu

version="$1"
root="$2"
target="$root/$version"
binary="$target/node_modules/@cloudflare/workerd-linux-64/bin/workerd"

if [ -x "$binary" ]; then
  echo "workerd $version already installed: $binary"
  exit 0
fi

# Without the binary the workerd tests fail under CI=true and are skipped otherwise; this script
# follows the same rule, so a developer without npm can still build the other modules.
give_up() {
  if [ "${CI:-}" = "true" ]; then
    echo "error: $1" >&2
    exit 1
  fi
  echo "warning: $1 (the workerd tests will be skipped)" >&2
  exit 0
}

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) give_up "no prebuilt workerd is fetched for $(uname -s)-$(uname -m); install workerd yourself and set FAAS4J_WORKERD or put it on PATH" ;;
esac

if ! command -v npm >/dev/null 2>&1; then
  give_up "npm not found; it is needed once to install workerd $version. Install Node.js/npm, or install workerd yourself and set FAAS4J_WORKERD to its path"
fi

mkdir -p "$root"
tmp="$(mktemp -d "$root/.install-$version.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT INT TERM
echo "installing @cloudflare/workerd-linux-64@$version into $target"
if ! npm install --prefix "$tmp" --no-audit --no-fund --no-save --loglevel=error \
    "@cloudflare/workerd-linux-64@$version"; then
  give_up "npm install @cloudflare/workerd-linux-64@$version failed"
fi
test -x "$tmp/node_modules/@cloudflare/workerd-linux-64/bin/workerd" \
  || give_up "the npm package has no bin/workerd"
# A directory without a binary is a broken earlier install: replace it. If another build
# finished first, keep its copy.
if [ -d "$target" ] && [ ! -x "$binary" ]; then
  rm -rf "$target"
fi
if mv -T "$tmp" "$target" 2>/dev/null; then
  trap - EXIT INT TERM
fi
test -x "$binary"
echo "workerd $version installed: $binary"
