#!/usr/bin/env bash
# faas4j benchmarks: builds what they need, starts everything on 127.0.0.1, measures, stops everything,
# prints a table and writes bench/results/latest.json.
#
#   bench/run.sh                       # all scenarios: proxy resume frozen deploy density restore router scale
#   bench/run.sh proxy router          # some of them
#   bench/run.sh cluster               # three gateways on one PostgreSQL (only when named; see bench/README.md)
#   bench/run.sh canary                # a weighted alias moved 90/10 -> 0/100 under wrk: counts errors (only when named)
#   bench/run.sh scale                 # a CPU-bound function at 1 replica, then autoscaled to one per core
#   bench/run.sh --density 1000        # sizes: --samples 30 --density 200 --restore 10000 --repeats 3
#   bench/run.sh --help                # every option
#
# Needs: JDK 17+, npm (the build fetches workerd), python3, and wrk + nginx (installed with apt-get
# when missing and this runs as root). Set BENCH_SKIP_BUILD=1 to reuse the jars already built.
set -euo pipefail
cd "$(dirname "$0")/.."

# Which tools and jars the named scenarios need (none named: every default scenario).
named=" $(printf '%s\n' "$@" | grep -xE 'proxy|resume|frozen|deploy|density|restore|router|restart|slowcallers|prometheus|cluster|canary|scale' | tr '\n' ' ' || true)"
[ "$named" = " " ] && named=" proxy resume frozen deploy density restore router scale "
wants() { for s in "$@"; do case "$named" in *" $s "*) return 0 ;; esac; done; return 1; }

missing=()
if wants proxy density slowcallers prometheus canary scale; then command -v wrk >/dev/null || missing+=(wrk); fi
if wants prometheus; then command -v prometheus >/dev/null || missing+=(prometheus); fi
if wants proxy; then command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light); fi
command -v python3 >/dev/null || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing ${missing[*]} with apt-get" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "bench/run.sh needs ${missing[*]}: install them (Debian: sudo apt-get install ${missing[*]})" >&2
    exit 2
  fi
fi
export PATH="$PATH:/usr/sbin"

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  echo "building the gateway and the benchmark jars (tests skipped)" >&2
  ./mvnw -B -q -DskipTests package -pl examples/gateway -am
  if wants restore router proxy; then ./mvnw -B -q -Pbench -DskipTests package -pl bench/java -am; fi
fi

# Gateways start as ./run-gateway.sh starts them: from the class-data archive of their start-up
# (set BENCH_GATEWAY_JVM_OPTS, even empty, to choose other JVM options).
if [ -z "${BENCH_GATEWAY_JVM_OPTS+set}" ]; then
  BENCH_GATEWAY_JVM_OPTS="$(examples/gateway/class-archive.sh "${BENCH_GATEWAY_JAR:-examples/gateway/target/faas-gateway.jar}")"
  export BENCH_GATEWAY_JVM_OPTS
fi

exec python3 bench/bench.py "$@"
