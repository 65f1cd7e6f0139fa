#!/usr/bin/env bash
# Starts dam-insights on a fresh SQLite file and a free port, runs graphql-http's server
# audits against it, and stops it. Non-zero exit when an audit that must pass fails.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
npm ci --no-audit --no-fund --loglevel=error
work="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
cd "$here/../.."
cargo build --quiet --bin dam-insights
bin="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/debug/dam-insights"
DATABASE_URL="sqlite://$work/audit.db?mode=rwc" BIND="127.0.0.1:$port" RUST_LOG=warn "$bin" serve &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
node "$here/audit.mjs" "http://127.0.0.1:$port/graphql"
