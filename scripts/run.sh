#!/usr/bin/env bash
# Installs what is missing, builds the app in release mode and starts the Prepoznaj server on
# http://127.0.0.1:8080 (SQLite database under ./data). Extra arguments go to the server,
# e.g. scripts/run.sh --port 9000 --data-dir /var/lib/prepoznaj
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
exec target/release/prepoznaj-server --dist dist "$@"
