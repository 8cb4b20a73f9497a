#!/usr/bin/env bash
# `npm run bench`: the benchmarks (bench/run.ts) inside a private network namespace, as the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$PATH"
npm run --silent build >/dev/null
exec bash scripts/netns-run.sh tsx bench/run.ts "$@"
