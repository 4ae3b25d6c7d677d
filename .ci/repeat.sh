#!/usr/bin/env bash
# Runs the test suite N times, each time on a fresh clone of the committed HEAD, and prints which
# tests failed in which run. It is how flaky tests are hunted: a test that fails one run in N shows
# up here long before it turns a CI run red.
#
#   .ci/repeat.sh [--ci] [--stress] N [maven args...]
#
#   N             how many runs
#   --ci          each run is the whole `CI=true .ci/run` (PostgreSQL, dockerd, every module);
#                 without it, each run is `./mvnw -B verify [maven args...]` (e.g. `-pl faas-core`)
#   --stress      load both cores with `stress-ng --cpu <nproc>` during every run, the way a shared
#                 CI machine is loaded (stress-ng is installed from Debian when missing)
#   maven args    passed to ./mvnw after `-B verify`; not used with --ci
#
# Examples:
#   .ci/repeat.sh 10 -pl faas-core           # faas-core's tests, ten times
#   .ci/repeat.sh --ci --stress 3            # the whole CI run, three times, machine loaded
#
# Each run clones main's HEAD as it is when the run starts (the line names that commit).
# Every run's output is kept in <workdir>/run-<i>.log (the work dir is printed at the start and
# removed at the end unless a run failed). Exit status: 0 when every run passed, 1 otherwise.
set -uo pipefail

ci=false
stress=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --ci) ci=true; shift ;;
    --stress) stress=true; shift ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) break ;;
  esac
done
if [[ $# -lt 1 || ! "$1" =~ ^[0-9]+$ || "$1" -lt 1 ]]; then
  echo "usage: .ci/repeat.sh [--ci] [--stress] N [maven args...]   (see --help)" >&2
  exit 2
fi
runs="$1"; shift
maven_args=("$@")

repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/faas4j-repeat.XXXXXX")"
stress_pid=""
cleanup() {
  [[ -n "$stress_pid" ]] && kill "$stress_pid" 2>/dev/null && wait "$stress_pid" 2>/dev/null
  stress_pid=""
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

if $stress && ! command -v stress-ng >/dev/null 2>&1; then
  echo "== installing stress-ng"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq stress-ng >/dev/null
fi

commit="$(git -C "$repo" rev-parse --short HEAD)"
echo "== $runs run(s) of $($ci && echo '.ci/run' || echo "./mvnw -B verify ${maven_args[*]}") at $commit$($stress && echo ', stress-ng on every core'); work dir $work"

# Lists "Class.method: message" for every failed or errored test case in a run's surefire/failsafe
# reports.
failed_tests() {
  find "$1" -path '*/target/*-reports/TEST-*.xml' -print0 2>/dev/null | xargs -0 -r python3 -c '
import sys, xml.etree.ElementTree as ET
for path in sys.argv[1:]:
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        print(f"{path}: unreadable report ({e})")
        continue
    for case in root.iter("testcase"):
        bad = case.find("failure")
        if bad is None:
            bad = case.find("error")
        if bad is not None:
            message = " ".join((bad.get("message") or bad.get("type") or "").split())
            print(case.get("classname") + "." + case.get("name") + ": " + message[:200])
'
}

failures=0
summary=()
for ((i = 1; i <= runs; i++)); do
  clone="$work/clone-$i"
  git clone --quiet "$repo" "$clone"
  at="$(git -C "$clone" rev-parse --short HEAD)"
  if $stress; then
    stress-ng --cpu "$(nproc)" --timeout 0 --quiet >/dev/null 2>&1 &
    stress_pid=$!
  fi
  start=$(date +%s)
  if $ci; then
    (cd "$clone" && CI=true bash .ci/run) >"$work/run-$i.log" 2>&1
  else
    (cd "$clone" && CI=true ./mvnw -B verify "${maven_args[@]}") >"$work/run-$i.log" 2>&1
  fi
  status=$?
  seconds=$(( $(date +%s) - start ))
  cleanup
  tests=$(grep -E 'Tests run: [0-9]+, Failures' "$work/run-$i.log" | grep -v ' -- in ' \
            | awk -F'[ ,]+' '{n += $4} END {print n + 0}')
  if [[ $status -eq 0 ]]; then
    line="run $i at $at: passed in ${seconds}s ($tests tests)"
  else
    failures=$((failures + 1))
    line="run $i at $at: FAILED (exit $status) in ${seconds}s ($tests tests), log $work/run-$i.log"
    failed="$(failed_tests "$clone")"
    [[ -z "$failed" ]] && failed="(no failed test in the reports: see the log's end)"
    line+=$'\n'"$(sed 's/^/    /' <<<"$failed")"
  fi
  echo "$line"
  summary+=("$line")
  # Keep a failed run's reports next to its log; drop the clone itself (it holds target/ trees).
  if [[ $status -ne 0 ]]; then
    mkdir -p "$work/reports-$i"
    find "$clone" -path '*/target/*-reports' -type d -exec cp -r --parents {} "$work/reports-$i" \; 2>/dev/null
  fi
  rm -rf "$clone"
done

echo "== summary: $((runs - failures)) of $runs run(s) passed"
printf '%s\n' "${summary[@]}"
if [[ $failures -eq 0 ]]; then
  rm -rf "$work"
  exit 0
fi
echo "== logs and reports of failed runs kept in $work"
exit 1
