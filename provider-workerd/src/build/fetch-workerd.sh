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

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *)
    echo "warning: no prebuilt workerd fetched for $(uname -s)-$(uname -m);" \
         "install workerd yourself and set FAAS4J_WORKERD or put it on PATH" >&2
    exit 0 ;;
esac

if ! command -v npm >/dev/null 2>&1; then
  echo "error: npm not found; it is needed once to install workerd $version." >&2
  echo "Install Node.js/npm, or install workerd yourself and set FAAS4J_WORKERD to its path." >&2
  exit 1
fi

mkdir -p "$root"
tmp="$(mktemp -d "$root/.install-$version.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT INT TERM
echo "installing @cloudflare/workerd-linux-64@$version into $target"
npm install --prefix "$tmp" --no-audit --no-fund --no-save --loglevel=error \
  "@cloudflare/workerd-linux-64@$version"
test -x "$tmp/node_modules/@cloudflare/workerd-linux-64/bin/workerd"
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
