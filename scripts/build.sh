#!/usr/bin/env bash
# Builds the app in release mode into dist/ (trunk + the xtask post-build step), and the server.
# Usage: scripts/build.sh [--debug-server]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
export TRUNK_SKIP_VERSION_CHECK=true
trunk build --release --offline
if [ "${1:-}" = "--debug-server" ]; then
  cargo build --locked --offline -p prepoznaj-server
else
  cargo build --locked --offline --release -p prepoznaj-server
fi
