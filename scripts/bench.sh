#!/usr/bin/env bash
# `npm run bench`: the benchmarks (bench/run.ts: first frame, latency, A/V sync and glass-to-glass; BENCH_ONLY=sync
# for the sync runs alone) inside a private network namespace, as the browser tests,
# then the restricted-network lab's (bench/lab.ts).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$PATH"
npm run --silent build >/dev/null
bash scripts/netns-run.sh tsx bench/run.ts "$@"
# The restricted-network lab's figures (≈ 2 min; BENCH_LAB=0 skips them), added to bench/results/latest.json.
[ "${BENCH_LAB:-1}" = 0 ] || LAB_SKIP_BUILD=1 bash scripts/lab.sh --bench
