#!/usr/bin/env bash
# Does a proxy's leg to workerd cost less over a unix domain socket than over loopback TCP?
# (issue 20, "Proxy efficiency": decide before faas4j's proxy and provider-workerd learn unix sockets.)
#
#   bench/unix-leg.sh [rounds] [seconds]      # default 3 rounds of 5 s per leg
#
# One workerd serves the same hello function on 127.0.0.1 TCP and on a unix socket; one nginx
# (1 worker, keep-alive upstreams) proxies to each on a port of its own; `wrk -t2 -c64` alternates
# between the two, round by round. Prints req/s and the CPU per request of the nginx worker and of
# workerd for each round, then the medians and the unix ÷ TCP ratio of each round and their median. Everything it starts lives in
# a temporary directory and is stopped on exit. Needs nginx, wrk, python3 and the workerd binary
# (FAAS4J_WORKERD, else the one the build fetched into ~/.cache/faas4j/workerd).
set -euo pipefail
rounds="${1:-3}"
seconds="${2:-5}"
workerd="${FAAS4J_WORKERD:-$(ls -d "$HOME"/.cache/faas4j/workerd/*/node_modules/@cloudflare/workerd-linux-64/bin/workerd 2>/dev/null | tail -1)}"
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"
for tool in "$workerd" "$nginx_bin" "$(command -v wrk)" "$(command -v python3)"; do
  [ -x "$tool" ] || { echo "unix-leg.sh: missing ${tool:-wrk or python3} (build once for workerd; apt-get install nginx-light wrk)" >&2; exit 2; }
done

dir="$(mktemp -d -t faas4j-unix-leg-XXXXXX)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
tcp_port="$(free_port)"; via_tcp="$(free_port)"; via_unix="$(free_port)"
socket="$dir/workerd.sock"

cat > "$dir/hello.js" <<'EOF'
addEventListener("fetch", event => event.respondWith(new Response("hello world\n")));
EOF
cat > "$dir/config.capnp" <<EOF
using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = (serviceWorkerScript = embed "hello.js", compatibilityDate = "2024-01-01"))],
  sockets = [
    (name = "tcp", address = "127.0.0.1:$tcp_port", http = (), service = "main"),
    (name = "unix", address = "unix:$socket", http = (), service = "main")
  ]
);
EOF
cat > "$dir/nginx.conf" <<EOF
worker_processes 1;
$( [ "$(id -u)" = 0 ] && echo "user root;" )
daemon off;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  upstream tcp { server 127.0.0.1:$tcp_port; keepalive 128; }
  upstream unix { server unix:$socket; keepalive 128; }
  server { listen 127.0.0.1:$via_tcp; location / { proxy_pass http://tcp; proxy_http_version 1.1; proxy_set_header Connection ""; } }
  server { listen 127.0.0.1:$via_unix; location / { proxy_pass http://unix; proxy_http_version 1.1; proxy_set_header Connection ""; } }
}
EOF
(cd "$dir" && exec "$workerd" serve config.capnp > workerd.log 2>&1) & pids+=($!)
workerd_pid=$!
"$nginx_bin" -c "$dir/nginx.conf" > "$dir/nginx.log" 2>&1 & pids+=($!)
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$via_tcp/" > /dev/null && curl -sf "http://127.0.0.1:$via_unix/" > /dev/null && break
  sleep 0.1
done
curl -sf "http://127.0.0.1:$via_unix/" > /dev/null || { echo "unix-leg.sh: nginx or workerd did not answer" >&2; cat "$dir"/*.log >&2; exit 1; }
worker_pid="$(pgrep -P "${pids[1]}" | head -1)"
[ -n "$worker_pid" ] || worker_pid="${pids[1]}"

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz="$(getconf CLK_TCK)"
results="$dir/rounds.txt"
wrk -t2 -c64 -d2s "http://127.0.0.1:$via_tcp/" > /dev/null; wrk -t2 -c64 -d2s "http://127.0.0.1:$via_unix/" > /dev/null
for round in $(seq 1 "$rounds"); do
  for leg in tcp unix; do
    port="$via_tcp"; [ "$leg" = unix ] && port="$via_unix"
    n0="$(ticks "$worker_pid")"; w0="$(ticks "$workerd_pid")"
    out="$(wrk -t2 -c64 -d"${seconds}s" "http://127.0.0.1:$port/")"
    n1="$(ticks "$worker_pid")"; w1="$(ticks "$workerd_pid")"
    requests="$(awk '/requests in/ {print $1}' <<< "$out")"
    errors="$(awk '/Non-2xx|Socket errors/ {print}' <<< "$out")"
    python3 - "$round" "$leg" "$requests" "$seconds" "$((n1 - n0))" "$((w1 - w0))" "$hz" "$errors" <<'EOF' | tee -a "$results"
import sys
r, leg, n, s, nt, wt, hz, errors = sys.argv[1:9]
n = int(n); us = 1e6 / int(hz)
print(f"round {r} {leg:4} req/s {n / float(s):9.1f}  nginx CPU {int(nt) * us / n:5.1f} us/req  workerd CPU {int(wt) * us / n:5.1f} us/req {errors}")
EOF
  done
done
python3 - "$results" <<'EOF'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
# the two legs of a round ran back to back: their ratio is taken per round, then the median
for name, column in (("req/s", 4), ("nginx CPU us/req", 7), ("workerd CPU us/req", 11)):
    legs = {leg: [float(row[column]) for row in rows if row[2] == leg] for leg in ("tcp", "unix")}
    ratios = [u / t for t, u in zip(legs["tcp"], legs["unix"])]
    print(f"{name:20} median tcp {statistics.median(legs['tcp']):9.1f}  unix {statistics.median(legs['unix']):9.1f}"
          f"  unix/tcp per round {' '.join(f'{r:.3f}' for r in ratios)}  median {statistics.median(ratios):.3f}")
EOF
