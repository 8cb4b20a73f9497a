#!/usr/bin/env bash
# `npm test`: set-up, type check, unit tests (vitest, Node), browser tests (web-test-runner, Chromium,
# in a private network namespace). Runs every step even after a failure, then prints a summary whose
# last line is "tests: N passed, N failed"; exits non-zero if any step failed.
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh || { echo "[test] set-up failed" >&2; exit 1; }
export PATH="$PWD/node_modules/.bin:$PATH"

LOG_DIR="$(mktemp -d -t avatar-test-XXXXXX)"
trap 'rm -rf "$LOG_DIR"' EXIT

SUMMARY=()
TOTAL_PASSED=0
TOTAL_FAILED=0
ANY_FAILED=0

strip_ansi() { sed -E 's/\x1b\[[0-9;?]*[A-Za-z]//g'; }

# "23 passed" / "2 failed" from vitest's "Tests  2 failed | 21 passed (23)".
vitest_counts() {
  local line
  line="$(strip_ansi <"$1" | grep -E '^\s*Tests\s+[0-9]' | tail -n 1)"
  [ -n "$line" ] || return 1
  printf '%s %s\n' "$(grep -oE '[0-9]+ passed' <<<"$line" | grep -oE '[0-9]+' || echo 0)" \
    "$(grep -oE '[0-9]+ failed' <<<"$line" | grep -oE '[0-9]+' || echo 0)"
}

# web-test-runner's last progress line: "Chrome: |███| 1/1 test files | 3 passed, 0 failed".
wtr_counts() {
  local line
  line="$(strip_ansi <"$1" | grep -E '[0-9]+ passed, [0-9]+ failed' | tail -n 1)"
  [ -n "$line" ] || return 1
  sed -E 's/.*[^0-9]([0-9]+) passed, ([0-9]+) failed.*/\1 \2/' <<<"$line"
}

# The restricted-network lab's last line: "lab: 4 passed, 0 failed, 1 pending" (pending is not failed).
lab_counts() {
  local line
  line="$(strip_ansi <"$1" | grep -E '^lab: [0-9]+ passed, [0-9]+ failed' | tail -n 1)"
  [ -n "$line" ] || return 1
  sed -E 's/^lab: ([0-9]+) passed, ([0-9]+) failed.*/\1 \2/' <<<"$line"
}

# run_step NAME TIME_LIMIT_S COUNTER|- COMMAND...
run_step() {
  local name="$1" limit="$2" counter="$3"
  shift 3
  local log="$LOG_DIR/${name// /-}.log" started status counts passed failed detail=""
  printf '\n=== %s: %s\n' "$name" "$*"
  started=$SECONDS
  timeout --kill-after=15 "$limit" "$@" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  [ "$status" -eq 124 ] && echo "[test] $name: stopped after ${limit} s" >&2
  if [ "$counter" != - ] && counts="$($counter "$log")"; then
    read -r passed failed <<<"$counts"
    TOTAL_PASSED=$((TOTAL_PASSED + passed))
    TOTAL_FAILED=$((TOTAL_FAILED + failed))
    detail="$passed passed, $failed failed"
    # A step that failed with no failed test (a crash, a time-out, no test found) still counts once.
    [ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && TOTAL_FAILED=$((TOTAL_FAILED + 1))
  elif [ "$status" -ne 0 ]; then
    TOTAL_FAILED=$((TOTAL_FAILED + 1))
  fi
  if [ "$status" -eq 0 ]; then
    SUMMARY+=("$(printf '  %-14s passed  %4d s  %s' "$name" $((SECONDS - started)) "$detail")")
  else
    ANY_FAILED=1
    SUMMARY+=("$(printf '  %-14s FAILED  %4d s  %s (exit %d)' "$name" $((SECONDS - started)) "$detail" "$status")")
  fi
}

run_step "type check" 300 - tsc -p tsconfig.json --noEmit
run_step "build" 300 - npm run --silent build
run_step "unit tests" 600 vitest_counts vitest run
run_step "browser tests" 600 wtr_counts bash scripts/netns-run.sh web-test-runner
run_step "e2e lab" 240 lab_counts env LAB_SKIP_BUILD=1 bash scripts/lab.sh

printf '\n=== summary\n'
printf '%s\n' "${SUMMARY[@]}"
[ "$ANY_FAILED" -eq 0 ] && echo "  all steps passed" || echo "  some steps FAILED (see above)"
echo "tests: $TOTAL_PASSED passed, $TOTAL_FAILED failed"
exit "$ANY_FAILED"
