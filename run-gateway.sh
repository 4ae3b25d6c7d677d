#!/usr/bin/env bash
# Builds the standalone gateway (skipping tests) and runs it on embedded defaults:
# http://127.0.0.1:8081, workerd for functions, SQLite in ./faas-data. Extra arguments go to the
# gateway: ./run-gateway.sh --help
set -euo pipefail
cd "$(dirname "$0")"
./mvnw -B -q -DskipTests package -pl examples/gateway -am
exec java -jar examples/gateway/target/faas-gateway.jar "$@"
