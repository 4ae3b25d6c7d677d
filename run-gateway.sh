#!/usr/bin/env bash
# Builds the standalone gateway (skipping tests) and runs it on embedded defaults:
# http://127.0.0.1:8081, workerd for functions, SQLite in ./faas-data. Extra arguments go to the
# gateway: ./run-gateway.sh --help
# The JVM starts from a class-data sharing archive of the gateway's start-up, recorded on the first
# run after a build (examples/gateway/class-archive.sh): restarts take about 40% less time and CPU.
set -euo pipefail
cd "$(dirname "$0")"
./mvnw -B -q -DskipTests package -pl examples/gateway -am
jar=examples/gateway/target/faas-gateway.jar
# shellcheck disable=SC2046 # the options are words of their own
exec java $(examples/gateway/class-archive.sh "$jar") -jar "$jar" "$@"
