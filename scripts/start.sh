#!/usr/bin/env bash
# `npm start`: set-up, then the demo page on Vite's dev server with the reference server behind it
# (vite.config.ts starts the server and proxies /ws and /health to it).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
PORT="${PORT:-5173}"
echo "[start] demo on port $PORT: open http://localhost:$PORT/ (Ctrl-C stops it)"
exec node_modules/.bin/vite --host "${HOST:-0.0.0.0}" --port "$PORT" --strictPort
