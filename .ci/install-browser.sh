#!/bin/sh
# Installs what tests/browser.rs needs: headless Chromium and axe-core (accessibility rules).
# Without them the browser test prints why it skipped and passes, so a bare `cargo test` works.
set -eu
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
fi
if ! command -v node >/dev/null 2>&1; then
    apt-get install -y --no-install-recommends nodejs npm
fi
npm install --no-save --no-audit --no-fund axe-core
