#!/usr/bin/env bash
# Fuzzes the server's JSON API with Schemathesis (PyPI) from its own /api/openapi.json, with
# real credentials: all checks, and the examples, coverage, fuzzing and stateful phases.
#   1. installs tests/fuzz/requirements.txt into out/venv-fuzz (skipped when already there)
#   2. starts the debug server ($PREPOZNAJ_SERVER_BIN, default target/debug/prepoznaj-server,
#      which scripts/build.sh --debug-server and the native test run build; not built here) on
#      a throwaway data directory and a free port, trusting 127.0.0.1 as a proxy so that each
#      request can name a client address of its own (tests/fuzz/hooks.py says why)
#   3. sets up a school, a team member (token + Ed25519 signing key) and an enrolled staff
#      phone (token) through the API (tests/fuzz/credentials.py)
#   4. runs Schemathesis with tests/fuzz/schemathesis.toml (bearer tokens) and
#      tests/fuzz/hooks.py (signs team requests, counts cases per operation)
# Prints the cases per operation and how many got past auth (anything but 401 or a 403 for the
# signature), then one line; exits non-zero on any failure. FUZZ_MAX_EXAMPLES (default 80)
# bounds the run's time. FUZZ_SEED (default a fixed one) makes the cases the same in every run,
# so the test command passes or fails on the code, not the draw; set another to explore.
# Its report (JUnit) and the server's log go to out/fuzz-api/.
set -euo pipefail
export PYTHONDONTWRITEBYTECODE=1 # no __pycache__ in tests/fuzz/
cd "$(dirname "$0")/.."
root=$PWD
venv=out/venv-fuzz
requirements=tests/fuzz/requirements.txt
server_bin=${PREPOZNAJ_SERVER_BIN:-${CARGO_TARGET_DIR:-target}/debug/prepoznaj-server}
max_examples=${FUZZ_MAX_EXAMPLES:-80}
seed=${FUZZ_SEED:-20261207}
output=out/fuzz-api
started=$SECONDS

fail() { echo "fuzz-api: FAILED: $*"; exit 1; }

# --- 1. Schemathesis in a venv of its own, installed again only when the requirements change.
if ! cmp -s "$requirements" "$venv/requirements.txt" 2>/dev/null; then
  rm -rf "$venv"
  python3 -m venv "$venv" || fail "cannot create $venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-cache-dir -r "$requirements" \
    || fail "cannot install $requirements from PyPI"
  cp "$requirements" "$venv/requirements.txt"
fi

# --- 2. The server on a throwaway data directory and a free port (port 0: it prints which).
[ -x "$server_bin" ] || fail "no server binary at $server_bin (scripts/build.sh --debug-server builds it)"
rm -rf "$output" && mkdir -p "$output"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/prepoznaj-fuzz-XXXXXX")
server_pid=
stop_server() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null; fi
  rm -rf "$scratch"
}
trap stop_server EXIT
mkdir -p "$scratch/data" "$scratch/dist"
echo '<!doctype html><title>Prepoznaj</title>' >"$scratch/dist/index.html" # the API is what is fuzzed
"$server_bin" --port 0 --data-dir "$scratch/data" --dist "$scratch/dist" --log warn \
  --trusted-proxy 127.0.0.1/32 \
  2>"$output/server.log" &
server_pid=$!

# Waits (at most 30 s) for the start-up line, then for /api/health to answer 200.
url=
deadline=$((SECONDS + 30))
while [ -z "$url" ]; do
  kill -0 "$server_pid" 2>/dev/null || { cat "$output/server.log"; fail "the server exited"; }
  [ "$SECONDS" -lt "$deadline" ] || fail "the server did not start within 30 s"
  url=$(grep -Eo 'listening on http://[0-9.]+:[0-9]+' "$output/server.log" | head -n 1 | cut -d' ' -f3 || true)
  [ -n "$url" ] || sleep 0.1 # polling the log, not waiting for a guessed duration
done
until curl -fsS -o /dev/null "$url/api/health"; do
  [ "$SECONDS" -lt "$deadline" ] || fail "$url/api/health did not answer 200 within 30 s"
  sleep 0.1
done

# --- 3. Real credentials: a team member (with their signing key) and an enrolled staff phone.
credentials="$scratch/credentials.json"
"$venv/bin/python" tests/fuzz/credentials.py "$server_bin" "$url" "$scratch/data" "$credentials" \
  || fail "cannot set up a school, a team and a phone"
PREPOZNAJ_FUZZ_DEVICE_TOKEN=$("$venv/bin/python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["device_token"])' "$credentials")
PREPOZNAJ_FUZZ_MEMBER_TOKEN=$("$venv/bin/python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["member_token"])' "$credentials")
export PREPOZNAJ_FUZZ_DEVICE_TOKEN PREPOZNAJ_FUZZ_MEMBER_TOKEN
export PREPOZNAJ_FUZZ_CREDENTIALS=$credentials
export PREPOZNAJ_FUZZ_HOOKS=$root/tests/fuzz/hooks.py
export PREPOZNAJ_FUZZ_COUNTS=$root/$output/counts.json
export HYPOTHESIS_STORAGE_DIRECTORY=$root/out/hypothesis # not .hypothesis/ in the repository

# --- 4. Schemathesis: every check, every phase (stateful included). One worker: with two,
# Hypothesis's lambda descriptions hit CPython 3.11's thread-unsafe `ast.parse` ("AST
# constructor recursion depth mismatch") now and then.
set +e
"$venv/bin/schemathesis" --config-file tests/fuzz/schemathesis.toml run "$url/api/openapi.json" \
  --checks all \
  --phases examples,coverage,fuzzing,stateful \
  --max-examples "$max_examples" \
  --seed "$seed" \
  --workers 1 \
  --suppress-health-check all \
  --report junit --report-dir "$output" \
  --no-color \
  >"$output/schemathesis.log" 2>&1
status=$?
set -e
cat "$output/schemathesis.log"

# --- 5. The figures, then one line.
summary=$("$venv/bin/python" - "$output/counts.json" "$url/api/openapi.json" <<'EOF'
import json, sys
import requests
counts = json.load(open(sys.argv[1]))
paths = requests.get(sys.argv[2], timeout=30).json()["paths"]
n_operations = sum(1 for item in paths.values() for method in item if method in ("get", "post", "delete"))
for label, entry in sorted(counts.items()):
    statuses = " ".join(f"{status}×{n}" for status, n in sorted(entry["statuses"].items()))
    print(f"  {label}: {entry['cases']} cases, {entry['past_auth']} past auth ({statuses})")
n_cases = sum(entry["cases"] for entry in counts.values())
n_past = sum(1 for entry in counts.values() if entry["past_auth"] > 0)
print(f"{n_cases} cases, {n_past} of {n_operations} operations past auth")
EOF
) || summary="no case counts (the hooks did not run)"
echo
echo "cases per operation, and how many got past auth (not 401, not 403 signature_*); the checks' own probes not counted:"
echo "$summary" | head -n -1
figures=$(echo "$summary" | tail -n 1)
if [ "$status" -eq 0 ]; then
  echo "fuzz-api: passed: $figures, seed $seed, in $((SECONDS - started)) s"
else
  echo "fuzz-api: FAILED (schemathesis exited with $status): $figures, seed $seed, in $((SECONDS - started)) s"
  exit 1
fi
