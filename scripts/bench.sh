#!/usr/bin/env bash
# Budgets, measured (not asserted). The app shell: first-load bytes (brotli and gzip) and the
# time until the home screen is interactive under Slow 4G + 4x CPU slowdown, cold and
# repeat-offline, median of 5. The checklist, at 4x CPU slowdown: autosave latency (answer to
# IndexedDB commit, p50/p95 of 200 answers) and the all-areas render (median and worst of 7).
# The app lock, at 4x CPU slowdown: the unlock (PIN to screens open, <= 1 s).
# The guidance search, at 4x CPU slowdown: the search per keystroke (<= 10 ms) over every
# section and indicator.
# End-to-end encryption, at 4x CPU slowdown: the team key's passphrase unlock (scrypt) and
# sealing one report (p50/p95 of 30). The server's report intake: durable reports/s and p50/p99
# latency over 200 connections with 8 KiB envelopes, beside SQLite's own durable insert rate
# (crates/prepoznaj-server/examples/prepoznaj-bench.rs), after `stats` over 2,000 schools x 24
# months (examples/prepoznaj-stats-bench.rs).
# Prints the figures and whether each is within its target.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
port=${PREPOZNAJ_BENCH_PORT:-8191}
data=$(mktemp -d)
target/release/prepoznaj-server --port "$port" --dist dist --data-dir "$data" 2>"$data/server.log" &
server=$!
trap 'kill "$server" 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do
  curl -fsS "http://127.0.0.1:$port/api/health" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$data/server.log"; exit 1; }
  sleep 0.1
done
cargo run --quiet --locked --release -p xtask -- size-report dist
node tests/bench/load.mjs "http://127.0.0.1:$port"
echo
node tests/bench/i18n.mjs "http://127.0.0.1:$port"
echo
node tests/bench/checklist.mjs "http://127.0.0.1:$port"
echo
node tests/bench/app-lock.mjs "http://127.0.0.1:$port"
echo
node tests/bench/guidance.mjs "http://127.0.0.1:$port"
echo
PREPOZNAJ_DATA_DIR="$data" PREPOZNAJ_SERVER_BIN=target/release/prepoznaj-server \
  node tests/bench/seal.mjs "http://127.0.0.1:$port"
echo
PREPOZNAJ_DATA_DIR="$data" PREPOZNAJ_SERVER_BIN=target/release/prepoznaj-server \
  node tests/bench/inbox.mjs "http://127.0.0.1:$port"
echo
cargo run --quiet --locked --release -p prepoznaj-server --example prepoznaj-stats-bench
echo
cargo run --quiet --locked --release -p prepoznaj-server --example prepoznaj-bench
echo
# The same intake on PostgreSQL (a throwaway cluster): one server instance, then two sharing it.
pg_env=$(scripts/postgres.sh start)
eval "$pg_env"
trap 'kill "$server" 2>/dev/null; rm -rf "$data"; scripts/postgres.sh stop "$PREPOZNAJ_PG_DIR"' EXIT
for instances in 1 2; do
  DATABASE_URL=$PREPOZNAJ_TEST_DATABASE_URL PREPOZNAJ_BENCH_INSTANCES=$instances \
    cargo run --quiet --locked --release -p prepoznaj-server --example prepoznaj-bench
  echo
done
