#!/usr/bin/env bash
# Installs what building and testing Prepoznaj needs, skipping whatever is already there.
# Works on a fresh Debian machine with rustup, node and npm, reaching only the package
# registries (crates.io, npm, Debian): nothing is downloaded from anywhere else.
#   trunk 0.21.14          (0.22 needs rustc >= 1.96.1)
#   wasm-bindgen-cli       at exactly the wasm-bindgen version in Cargo.lock
#   wasm-opt               from npm binaryen 132 (Debian's binaryen 108 miscompiles our wasm)
#   chromium + chromedriver from Debian (browser tests; never a downloaded browser)
#   webkit2gtk-driver, xvfb, firefox-esr from Debian (the cross-engine tier: WebKitWebDriver and
#                          MiniBrowser under xvfb-run; Firefox driven by npm puppeteer-core)
#   age                    from Debian (the API test that decrypts a stored report with the standard CLI)
#   postgresql             from Debian (the API tests' second run, on a throwaway cluster: scripts/postgres.sh)
#   npm packages           from package-lock.json (Playwright, axe-core, puppeteer-core)
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
BINARYEN_NPM_VERSION=132.0.0
CARGO_BIN=${CARGO_HOME:-$HOME/.cargo}/bin
WASM_TOOLS=${WASM_TOOLS:-/opt/wasm-tools}
export PATH="$CARGO_BIN:$PATH"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1

say() { printf '==> %s\n' "$*" >&2; }

wasm_bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
[ -n "$wasm_bindgen_version" ] || { echo "setup: cannot read the wasm-bindgen version from Cargo.lock" >&2; exit 1; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! trunk --version 2>/dev/null | grep -qx "trunk $TRUNK_VERSION"; then
  say "installing trunk $TRUNK_VERSION (about 7 minutes on 2 cores)"
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install --locked trunk --version "$TRUNK_VERSION"
fi

if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $wasm_bindgen_version"; then
  say "installing wasm-bindgen-cli $wasm_bindgen_version (about 4 minutes)"
  if ! cargo install --locked wasm-bindgen-cli --version "$wasm_bindgen_version"; then
    # Its published lockfile pins a webpki-roots release the registry here lacks:
    # re-lock that one crate and install from the unpacked source.
    src=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/wasm-bindgen-cli-"$wasm_bindgen_version" | head -n1)
    tmp=$(mktemp -d)
    cp -r "$src"/. "$tmp"/
    (cd "$tmp" && cargo update -p webpki-roots --precise 1.0.10 && cargo install --locked --path . --force)
    rm -rf "$tmp"
  fi
fi

if ! "$CARGO_BIN/wasm-opt" --version 2>/dev/null | grep -q "version ${BINARYEN_NPM_VERSION%%.*}"; then
  say "installing wasm-opt from npm binaryen $BINARYEN_NPM_VERSION"
  mkdir -p "$WASM_TOOLS"
  npm install --prefix "$WASM_TOOLS/binaryen" --no-audit --no-fund "binaryen@$BINARYEN_NPM_VERSION"
  ln -sf "$WASM_TOOLS/binaryen/node_modules/binaryen/bin/wasm-opt" "$CARGO_BIN/wasm-opt"
fi

missing_packages=()
command -v chromium >/dev/null || missing_packages+=(chromium)
command -v chromedriver >/dev/null || missing_packages+=(chromium-driver)
command -v WebKitWebDriver >/dev/null || missing_packages+=(webkit2gtk-driver)
command -v xvfb-run >/dev/null || missing_packages+=(xvfb)
command -v firefox-esr >/dev/null || missing_packages+=(firefox-esr)
command -v age >/dev/null || missing_packages+=(age)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing_packages+=(postgresql)
[ -d /usr/share/fonts/truetype/liberation ] || missing_packages+=(fonts-liberation)
if [ "${#missing_packages[@]}" -gt 0 ]; then
  say "installing Debian packages: ${missing_packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing_packages[@]}"
fi

if [ -f package-lock.json ]; then
  stamp=node_modules/.package-lock.json
  if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
    say "installing npm packages (npm ci)"
    npm ci --no-audit --no-fund
  fi
fi

say "fetching crates"
cargo fetch --locked
