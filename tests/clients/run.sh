#!/usr/bin/env bash
# The standard GraphQL clients against the embedded demo, offline: installs what they need
# (npm ci here, Python gql in .venv, Chromium from Debian when missing), builds the server,
# then, in a network namespace of its own where only the loopback exists (when the
# machine allows one), starts `dam-insights serve` on the embedded default in an empty
# folder (it seeds the demo and keeps its key) and runs every check. Exits non-zero on
# any failure.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

if [ "${1:-}" != "--inside" ]; then
  cd "$here"
  npm ci --no-audit --no-fund --loglevel=error
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
  if [ ! -x /usr/bin/chromium ]; then
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  fi
  (cd "$root" && cargo build --quiet --bin dam-insights)
  if unshare -n true 2>/dev/null; then
    exec unshare -n bash "$here/run.sh" --inside
  fi
  echo "(no network namespace here: the checks run on the host network; they call 127.0.0.1 only and the browser refuses every other host)"
  exec bash "$here/run.sh" --inside
fi

ip link set lo up 2>/dev/null || true
bin="$(cd "$root" && cargo metadata --offline --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/debug/dam-insights"
work="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
(cd "$work" && exec env -u DATABASE_URL BIND="127.0.0.1:$port" RUST_LOG=warn "$bin" serve 2>"$work/serve.log") &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
started=$SECONDS
until curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do
  if ! kill -0 $server 2>/dev/null; then cat "$work/serve.log"; exit 1; fi
  if (( SECONDS - started > 600 )); then echo "the server did not start"; cat "$work/serve.log"; exit 1; fi
  sleep 0.5
done
echo "demo seeded and serving in $((SECONDS - started)) s"
export DAM_URL="http://127.0.0.1:$port/graphql"
DAM_KEY="$(cat "$work/dam-insights.demo-key")"
export DAM_KEY

cd "$here"
failed=0
checks=("node schema.mjs" "node apollo.mjs" "node apq.mjs" "node urql.mjs" "node codegen.mjs" ".venv/bin/python gql_check.py" "node graphiql.mjs")
for check in "${checks[@]}"; do
  echo "== $check"
  if ! $check; then
    echo "FAILED: $check"
    failed=$((failed + 1))
  fi
done
passed=$((${#checks[@]} - failed))
echo "clients: $passed passed, $failed failed"
exit $(( failed > 0 ))
