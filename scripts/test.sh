#!/usr/bin/env bash
# Runs every test of Prepoznaj and ends with one line: "N passed, N failed".
#   1. format and lints (rustfmt; clippy -D warnings, native and wasm32): one check each
#   2. native tests: domain (unit + property), server API, sync fault injection, app logic, xtask;
#      then the server API tests again against PostgreSQL (a throwaway cluster, scripts/postgres.sh)
#   2b. the API fuzzed by Schemathesis with real credentials (scripts/fuzz-api.sh): one check
#   3. wasm browser tests in headless Chromium (wasm-bindgen-test + chromedriver)
#   4. the end-to-end suite: Playwright driving Debian's chromium against the real server
#   5. the cross-engine tier: the main screens in WebKit (WebKitGTK) and Firefox (firefox-esr)
# Installs what is missing first (scripts/setup.sh). Logs go to out/test/.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
export CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}
export TRUNK_SKIP_VERSION_CHECK=true
export CARGO_TERM_COLOR=never
unset PREPOZNAJ_TEST_DATABASE_URL # the first run is SQLite's; the PostgreSQL run sets it

scripts/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }

logs=out/test
rm -rf "$logs" && mkdir -p "$logs"
passed=0
failed=0

say() { printf '\n==> %s\n' "$*"; }

# A check that passes or fails as a whole.
check() {
  local name=$1; shift
  say "$name"
  if "$@" >"$logs/$name.log" 2>&1; then
    passed=$((passed + 1)); echo "ok"
  else
    failed=$((failed + 1)); echo "FAILED: $name"; tail -n 60 "$logs/$name.log"
  fi
}

# Adds up cargo's / wasm-bindgen-test's "test result:" lines of a log.
count_cargo_results() {
  local log=$1 status=$2
  local n_passed n_failed
  n_passed=$(grep -Eo 'test result: [A-Za-z]+\. [0-9]+ passed' "$log" | awk '{ s += $4 } END { print s + 0 }')
  n_failed=$(grep -Eo '[0-9]+ failed;' "$log" | awk '{ s += $1 } END { print s + 0 }')
  if [ "$status" -ne 0 ] && [ "$n_failed" -eq 0 ]; then
    n_failed=1 # it did not even get to run (a build error): count it as a failure
  fi
  passed=$((passed + n_passed)); failed=$((failed + n_failed))
  echo "$n_passed passed, $n_failed failed"
}

check format cargo fmt --all --check
check clippy-native cargo clippy --locked --workspace --all-targets -- -D warnings
check clippy-wasm cargo clippy --locked -p prepoznaj --target wasm32-unknown-unknown --all-targets -- -D warnings

say "native tests (domain, server, sync fault injection, app logic, xtask)"
cargo test --locked --workspace --no-fail-fast >"$logs/native.log" 2>&1
status=$?
grep -E '^test .* FAILED$|^failures:|panicked' "$logs/native.log" | head -n 40
grep -E '^fault (suite seed|schedules):' "$logs/native.log" # the fault suite's seed and figures
count_cargo_results "$logs/native.log" "$status"

# --- PostgreSQL: the server API suite a second time, each test on its own fresh database in a
# throwaway cluster (scripts/postgres.sh), stopped and deleted afterwards. More test threads
# than cores: these tests mostly wait for PostgreSQL's fsyncs. `--workspace` keeps the features
# of the run above, so nothing is rebuilt.
say "server API tests against PostgreSQL"
if pg_env=$(scripts/postgres.sh start 2>"$logs/postgres.log"); then
  eval "$pg_env"
  trap 'scripts/postgres.sh stop "$PREPOZNAJ_PG_DIR" >>"$logs/postgres.log" 2>&1' EXIT
  cargo test --locked --workspace --test api --no-fail-fast -- --test-threads 8 \
    >"$logs/api-postgres.log" 2>&1
  status=$?
  scripts/postgres.sh stop "$PREPOZNAJ_PG_DIR" >>"$logs/postgres.log" 2>&1
  trap - EXIT
  unset PREPOZNAJ_TEST_DATABASE_URL PREPOZNAJ_PG_DIR
  grep -E '^test .* FAILED$|^failures:|panicked' "$logs/api-postgres.log" | head -n 40
  count_cargo_results "$logs/api-postgres.log" "$status"
else
  echo "FAILED: cannot start PostgreSQL"; tail -n 20 "$logs/postgres.log"
  failed=$((failed + 1))
fi
# --- end of PostgreSQL

# The server binary the native run built (target/debug, as scripts/build.sh --debug-server).
check fuzz-api scripts/fuzz-api.sh; tail -n 1 "$logs/fuzz-api.log"

say "wasm browser tests (headless Chromium)"
cargo test --locked -p prepoznaj --target wasm32-unknown-unknown --no-fail-fast >"$logs/wasm.log" 2>&1
status=$?
grep -E '^test .* FAILED$|^failures:|panicked' "$logs/wasm.log" | head -n 40
count_cargo_results "$logs/wasm.log" "$status"

# Runs a Playwright suite ($2: its config) and adds its tests to the counts, read from its JSON
# report ($3); no test at all counts as a failure.
playwright_suite() {
  local name=$1 config=$2 results=$3 started=$SECONDS
  rm -f "$results"
  CI=${CI:-true} npx playwright test -c "$config" >"$logs/$name.log" 2>&1
  tail -n 40 "$logs/$name.log"
  echo "$name: $((SECONDS - started)) s"
  local summary
  summary=$(node tests/e2e/pw-summary.mjs "$results" 2>&1 | tail -n 1)
  echo "$summary"
  if [[ $summary =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
    passed=$((passed + BASH_REMATCH[1])); failed=$((failed + BASH_REMATCH[2]))
    if [ "${BASH_REMATCH[1]}" -eq 0 ]; then failed=$((failed + 1)); fi
  else
    failed=$((failed + 1))
  fi
}

say "build (release app, debug server) for the end-to-end suite"
if scripts/build.sh --debug-server >"$logs/build.log" 2>&1; then
  say "end-to-end (Playwright, Debian chromium)"
  playwright_suite e2e playwright.config.ts out/pw-results.json
  say "cross-engine (WebKit and Firefox, from Debian)"
  playwright_suite cross-engine tests/cross-engine/playwright.config.ts out/cross-engine-results.json
else
  echo "FAILED: build"; tail -n 60 "$logs/build.log"
  failed=$((failed + 1))
fi

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
