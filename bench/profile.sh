#!/usr/bin/env bash
# CPU profile of the gateway under wrk load, with async-profiler (fetched from Maven Central into the
# local Maven repository). Prints where the gateway's CPU goes, by layer, and leaves the collapsed
# stacks in bench/results/profile.collapsed (for flamegraph tools).
#
#   bench/profile.sh [seconds of load, default 20]
#
# Everything runs on 127.0.0.1 and is stopped at the end. Build the gateway first (bench/run.sh does).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"
jar="${BENCH_GATEWAY_JAR:-examples/gateway/target/faas-gateway.jar}"
version=4.1
apjar="$HOME/.m2/repository/tools/profiler/async-profiler/$version/async-profiler-$version.jar"
[ -f "$apjar" ] || ./mvnw -B -q dependency:get -Dartifact="tools.profiler:async-profiler:$version"
work="$(mktemp -d -t faas4j-profile-XXXXXX)"
gateway_pid=""
cleanup() {
  if [ -n "$gateway_pid" ] && kill -0 "$gateway_pid" 2>/dev/null; then
    kill -TERM "$gateway_pid"; wait "$gateway_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
(cd "$work" && unzip -q "$apjar" 'linux-x64/*')
out="$PWD/bench/results/profile.collapsed"
java -agentpath:"$work/linux-x64/libasyncProfiler.so=start,event=cpu,interval=1ms,collapsed,file=$out" \
  -jar "$jar" --port 0 --data-dir "$work/data" > "$work/gateway.out" 2> "$work/gateway.err" &
gateway_pid=$!
for _ in $(seq 1 200); do grep -q "listening on" "$work/gateway.out" && break; sleep 0.1; done
port="$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$work/gateway.out")"
[ -n "$port" ] || { echo "the gateway did not start; see below" >&2; cat "$work/gateway.err" >&2; exit 1; }
curl -fsS "127.0.0.1:$port/api/deploy/hello" -H 'Content-Type: application/json' \
  -d '{"version":"v1","code":"addEventListener(\"fetch\", e => e.respondWith(new Response(\"hello from v1\")))"}' >/dev/null
wrk -t2 -c64 -d"${seconds}s" -H 'Host: hello.func.local' "http://127.0.0.1:$port/" | grep -E "Requests/sec|Latency "
kill -TERM "$gateway_pid"; wait "$gateway_pid" 2>/dev/null || true
gateway_pid=""
python3 - "$out" <<'PY'
import collections, sys
layers = [
    ("JIT compiler", ["CompileBroker"]),
    ("GC", ["GCTaskThread", "G1"]),
    ("proxy: answer written to the client (on the upstream I/O thread)", ["ProxyExchange"]),
    ("proxy: upstream response read and parsed", ["UpstreamLoop.read", "ResponseParser", "ResponseHeadParser", "ResponseLineReader"]),
    ("proxy: upstream selector (wait, wake-up, timeouts)", ["UpstreamLoop"]),
    ("proxy: request written upstream, pool", ["UpstreamClient", "UpstreamPool", "UpstreamCall", "UpstreamRequestWriter", "UpstreamConnection"]),
    ("proxy: request head, headers, body", ["ReverseProxy", "ForwardingRules"]),
    ("faas: route, resolve, lease", ["Faas.route", "Faas.resolve", "Instances.acquire", "FaasFilter"]),
    ("jetty: parse, dispatch, complete", ["HttpConnection.onFillable", "HttpParser", "ServletChannel"]),
    ("jetty: selector", ["ManagedSelector"]),
    ("jetty: thread pool hand-off, park/unpark", ["QueuedThreadPool", "ReservedThread"]),
]
total, per = 0, collections.Counter()
for line in open(sys.argv[1]):
    stack, _, n = line.rstrip().rpartition(" ")
    layer = next((name for name, keys in layers if any(k in stack for k in keys)), "other")
    per[layer] += int(n)
    total += int(n)
jit = per.pop("JIT compiler", 0)
total -= jit
print(f"{total} CPU samples (1 ms each) of the gateway JVM, plus {jit} in the JIT compiler (warm-up, left out below)")
for layer, n in per.most_common():
    print(f"  {100 * n / total:5.1f}%  {layer}")
PY
echo "collapsed stacks: $out"
