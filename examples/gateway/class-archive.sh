#!/usr/bin/env bash
# Prints the JVM options that start the standalone gateway from a class-data sharing archive of
# its start-up, making the archive first when it is missing or older than the jar:
#
#   java $(examples/gateway/class-archive.sh path/to/faas-gateway.jar) -jar path/to/faas-gateway.jar
#
# The archive (<jar>.jsa, next to the jar) holds the classes a gateway loads until it listens,
# parsed and verified once: a start then needs about 40% less CPU and time (README, "Starting
# fast"). JDK 17 has no -XX:+AutoCreateSharedArchive, so it is recorded here: a gateway on a
# temporary data dir starts, listens, is stopped with SIGTERM, and the JVM writes the archive as it
# exits. An archive the JVM cannot use (another JDK, another jar) is ignored by the JVM, never an
# error; if none can be made, this prints nothing and the gateway starts as usual. JAVA names the
# java that records it (default: java on PATH); record with the java that will use it.
set -uo pipefail
jar="${1:?usage: class-archive.sh path/to/faas-gateway.jar}"
archive="$jar.jsa"
options="-XX:SharedArchiveFile=$archive -Xlog:cds=off -Xlog:cds+dynamic=off"
if [ -s "$archive" ] && [ "$archive" -nt "$jar" ]; then
  echo "$options"
  exit 0
fi
work="$(mktemp -d -t faas4j-cds-XXXXXX)" || exit 0
pid=""
recording=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; fi
  rm -rf "$work"
  if [ -n "$recording" ]; then rm -f "$recording"; fi
}
trap cleanup EXIT
recording="$archive.$$.tmp" # next to the archive, so that the rename below is atomic
"${JAVA:-java}" -XX:ArchiveClassesAtExit="$recording" -Xlog:cds=off -Xlog:cds+dynamic=off \
  -jar "$jar" --port 0 --data-dir "$work/data" > "$work/gateway.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do
  grep -q "listening on" "$work/gateway.log" 2>/dev/null && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
kill -TERM "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
pid=""
if [ -s "$recording" ] && mv -f "$recording" "$archive" 2>/dev/null; then
  echo "$options"
fi
exit 0
