#!/usr/bin/env bash
# Fail-closed and overload runs over real processes (the tests module's FailClosedIT and
# OverloadIT, scaled up), with the load average recorded beside every figure.
#
#   bench/robustness.sh fail-closed [CALLS]     # calls per phase; default 10000
#   bench/robustness.sh overload [SECONDS]      # seconds at 3x capacity; default 600
#
# Builds nothing: package the services first (./mvnw -pl services/... -am package -DskipTests).
# Output: the test's summary lines and the load average before and after, on stdout and in
# bench/target/robustness-<what>-<UTC time>.log. The 10-minute overload run and the 10,000-call
# fail-closed run belong on a quiet machine: on a shared one the figures measure the neighbours.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
what="${1:-}"
case "$what" in
  fail-closed) it=FailClosedIT; prop="-Dscreenmesh.failclosed.calls=${2:-10000}" ;;
  overload) it=OverloadIT; prop="-Dscreenmesh.overload.seconds=${2:-600}" ;;
  *) sed -n '5,6p' "${BASH_SOURCE[0]}" | sed 's/^# *//' >&2; exit 2 ;;
esac
mkdir -p "$ROOT/bench/target"
log="$ROOT/bench/target/robustness-$what-$(date -u +%Y%m%dT%H%M%SZ).log"
{
  echo "# $(date -u +%FT%TZ) $(git -C "$ROOT" rev-parse --short HEAD) $what $prop"
  echo "# before: $(cat /proc/loadavg) on $(nproc) CPUs"
} | tee "$log"
cd "$ROOT"
# -am builds what the tests module needs in the reactor (nothing is installed); the other
# modules' unit tests are skipped by the empty -Dtest.
status=0
./mvnw -B -o -pl tests -am verify -DskipITs=false -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test="$it" -Dfailsafe.failIfNoSpecifiedTests=false "$prop" >>"$log" 2>&1 || status=$?
grep -hE '^(overload|capacity|fail-closed|front-door heap)|Tests run:.*Fail|FAIL' "$log" \
  "$ROOT"/tests/target/failsafe-reports/*"$it"*-output.txt 2>/dev/null | sort -u || true
echo "# after: $(cat /proc/loadavg); exit $status" | tee -a "$log"
exit "$status"
