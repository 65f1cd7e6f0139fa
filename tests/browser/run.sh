#!/usr/bin/env bash
# The dashboard in a real browser: builds dam-insights, seeds a fresh embedded database
# with a small demo (30,000 events up to today), serves it on a free port, and walks the
# dashboard in Debian's chromium (walk.mjs). Screenshots go to target/screenshots/.
# Non-zero exit on any failed step, console error or failed request.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
if [ ! -x /usr/bin/chromium ]; then
  apt-get update && apt-get install -y chromium
fi
cd "$here"
npm ci --no-audit --no-fund --loglevel=error
cd "$root"
cargo build --quiet --bin dam-insights
target="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
bin="$target/debug/dam-insights"
shots="$target/screenshots"
rm -rf "$shots"
work="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; [ -n "$server" ] && wait "$server" 2>/dev/null; rm -rf "$work"' EXIT
cd "$work"
# The embedded default (no DATABASE_URL): serve then offers the demo key on sign-in.
env -u DATABASE_URL RUST_LOG=warn "$bin" seed --events 30000 --assets 1000 --users 30
env -u DATABASE_URL BIND="127.0.0.1:$port" RUST_LOG=warn "$bin" serve >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 150); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
# The last whole month, in the demo environment's zone.
month="$(TZ=Europe/Amsterdam date -d "$(TZ=Europe/Amsterdam date +%Y-%m-01) -1 day" +%Y-%m)"
node "$here/walk.mjs" "http://127.0.0.1:$port" "$shots" "$month"
