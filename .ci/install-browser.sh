#!/bin/sh
# Installs what tests/browser.rs needs: headless Chromium and axe-core (accessibility rules).
# Any failure here is fatal (set -e): CI must not go on to a browser test that cannot run.
set -eu
cd "$(dirname "$0")/.."
# Pinned so that a new axe-core release (new rules) cannot turn CI red on its own; bump it on
# purpose. 4.14.1 was the latest on npm on 2026-11-30.
AXE_CORE_VERSION=4.14.1
if ! command -v chromium >/dev/null 2>&1; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
fi
if ! command -v node >/dev/null 2>&1; then
    apt-get install -y --no-install-recommends nodejs npm
fi
npm install --no-save --no-audit --no-fund "axe-core@$AXE_CORE_VERSION"
