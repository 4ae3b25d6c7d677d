#!/usr/bin/env bash
# Starts or stops a private Docker engine for the provider-docker integration tests.
#
#   eval "$(bash .ci/dockerd.sh start)"   # prints: export DOCKER_HOST=unix:///tmp/.../docker.sock
#   bash .ci/dockerd.sh stop              # stops that engine and removes its temp dir
#
# The engine gets its own data root, exec root, pid file and unix socket under a temp dir, so it
# never touches a system dockerd. It runs with --iptables=false, --ip-forward=false and
# --ip-masq=false: the host's firewall and sysctls stay as they were; published ports are served
# by docker-proxy on 127.0.0.1, which is all the tests need. No registry is reachable, so the
# tests build their image locally FROM scratch with Debian's busybox-static.
# Everything but the export line goes to stderr, so the output can be eval'ed.
set -euo pipefail

STATE_FILE="${FAAS4J_DOCKERD_STATE:-/tmp/faas4j-dockerd.state}"

log() { echo "dockerd.sh: $*" >&2; }

install_packages() {
  local missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  # The tests copy /bin/busybox into a FROM-scratch image, so it must be the static build.
  dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)
  if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
      log "missing ${missing[*]} and not root: install them with apt-get install -y ${missing[*]}"
      exit 1
    fi
    log "installing ${missing[*]}"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
  fi
}

start() {
  if [ -f "$STATE_FILE" ]; then
    # shellcheck disable=SC1090
    . "$STATE_FILE"
    if [ -n "${DOCKERD_PID:-}" ] && kill -0 "$DOCKERD_PID" 2>/dev/null; then
      log "already running (pid $DOCKERD_PID)"
      echo "export DOCKER_HOST=unix://$DOCKERD_DIR/docker.sock"
      return 0
    fi
    rm -f "$STATE_FILE"
  fi
  install_packages
  local dir
  dir="$(mktemp -d /tmp/faas4j-dockerd.XXXXXX)"
  local had_bridge=no
  ip link show docker0 >/dev/null 2>&1 && had_bridge=yes
  dockerd \
    --data-root "$dir/data" \
    --exec-root "$dir/exec" \
    --pidfile "$dir/dockerd.pid" \
    -H "unix://$dir/docker.sock" \
    --iptables=false --ip-forward=false --ip-masq=false \
    >"$dir/dockerd.log" 2>&1 </dev/null &
  local pid=$!
  printf 'DOCKERD_PID=%s\nDOCKERD_DIR=%s\nHAD_BRIDGE=%s\n' "$pid" "$dir" "$had_bridge" >"$STATE_FILE"
  local deadline=$((SECONDS + 60))
  until curl -sf --unix-socket "$dir/docker.sock" http://localhost/_ping >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "dockerd exited during start; its log:"
      tail -n 30 "$dir/dockerd.log" >&2 || true
      rm -rf "$dir" "$STATE_FILE"
      exit 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "dockerd did not answer within 60 s; its log:"
      tail -n 30 "$dir/dockerd.log" >&2 || true
      stop
      exit 1
    fi
    sleep 0.2
  done
  log "dockerd ready (pid $pid, dir $dir)"
  echo "export DOCKER_HOST=unix://$dir/docker.sock"
}

stop() {
  if [ ! -f "$STATE_FILE" ]; then
    log "not running (no $STATE_FILE)"
    return 0
  fi
  # shellcheck disable=SC1090
  . "$STATE_FILE"
  if kill -0 "$DOCKERD_PID" 2>/dev/null; then
    kill "$DOCKERD_PID"
    local deadline=$((SECONDS + 30))
    while kill -0 "$DOCKERD_PID" 2>/dev/null; do
      if [ "$SECONDS" -ge "$deadline" ]; then
        log "dockerd did not stop within 30 s; killing it"
        kill -9 "$DOCKERD_PID" 2>/dev/null || true
        break
      fi
      sleep 0.2
    done
  fi
  # dockerd leaves its mounts (overlay layers, netns, shm) behind only if it was killed.
  if [ -d "$DOCKERD_DIR" ]; then
    { grep -o " $DOCKERD_DIR[^ ]*" /proc/mounts || true; } | sort -r | while read -r m; do
      umount -l "$m" 2>/dev/null || true
    done
    rm -rf "$DOCKERD_DIR"
  fi
  if [ "${HAD_BRIDGE:-yes}" = no ] && ip link show docker0 >/dev/null 2>&1; then
    ip link delete docker0 2>/dev/null || true
  fi
  rm -f "$STATE_FILE"
  log "stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
