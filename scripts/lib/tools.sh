# shellcheck shell=bash
# Idempotent installers shared by scripts/serve and scripts/test. Each checks before it installs,
# every version is pinned, and nothing is fetched from outside the package registries.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export PATH="$HOME/.cargo/bin:$ROOT/node_modules/.bin:$PATH"

TRUNK_VERSION="0.21.14"
# Debian bookworm-security's build; if the archive has moved on, the current candidate is used.
CHROMIUM_VERSION="156.0.8078.108-1~deb12u1"

step() { printf '\n==> %s\n' "$*"; }

# wasm-bindgen-cli must be exactly the wasm-bindgen version in Cargo.lock.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

ensure_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    step "rustup target add wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
  fi
}

ensure_trunk() {
  if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
    step "cargo install trunk $TRUNK_VERSION (about 11 minutes the first time)"
    cargo install --locked trunk --version "$TRUNK_VERSION"
  fi
}

ensure_wasm_bindgen() {
  local v
  v="$(wasm_bindgen_version)"
  if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $v" ] ||
     ! command -v wasm-bindgen-test-runner >/dev/null; then
    step "cargo install wasm-bindgen-cli $v (about 4 minutes the first time)"
    # Not --locked: its lock file pins a crate version the registry no longer serves.
    cargo install wasm-bindgen-cli --version "$v"
  fi
}

# npm packages from the committed package-lock.json (playwright-core, binaryen's wasm-opt).
ensure_node_modules() {
  if [ ! -f "$ROOT/node_modules/.package-lock.json" ] ||
     [ "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]; then
    step "npm ci"
    (cd "$ROOT" && npm ci --no-audit --no-fund)
  fi
}

# apt_install WHAT PKG...: Debian packages, the archive's list refreshed first.
apt_install() {
  step "apt-get install $1"
  shift
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "$@"
}

ensure_chromium() {
  if ! dpkg -s chromium chromium-driver >/dev/null 2>&1; then
    apt_install "chromium chromium-driver" "chromium=$CHROMIUM_VERSION" "chromium-driver=$CHROMIUM_VERSION" ||
      apt-get install -y -qq chromium chromium-driver
  fi
}

# sox with every format it reads (scripts/corpus/augment.py, scripts/build-pkg).
ensure_sox() {
  command -v sox >/dev/null || apt_install sox sox libsox-fmt-all
}

# What the corpus scripts' tests need: sox (augment.py) and a virtualenv with numpy, pinned.
ensure_corpus_test_tools() {
  ensure_sox
  local venv="$ROOT/.cache/venv-test"
  if ! "$venv/bin/python" -c 'import numpy' >/dev/null 2>&1; then
    step "python virtualenv for the corpus scripts' tests (.cache/venv-test)"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q -r "$ROOT/scripts/corpus/requirements-test.txt"
  fi
}

ensure_app_tools() {
  ensure_wasm_target
  ensure_wasm_bindgen
  ensure_trunk
  ensure_node_modules
}

# The release build of the app into dist/ (trunk uses the local wasm-bindgen and wasm-opt only).
build_app() {
  step "trunk build --release"
  (cd "$ROOT" && trunk build --release)
}
