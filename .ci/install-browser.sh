#!/bin/sh
# Installs what tests/browser.rs needs: headless Chromium (Debian's), pdftotext (poppler-utils,
# to read the printed PDF) and axe-core (accessibility rules, from npm). Any failure here is
# fatal (set -e): CI must not go on to a browser test that cannot run. Run as root.
set -eu
cd "$(dirname "$0")/.."
# Pinned so that a new axe-core release (new rules) cannot turn CI red on its own; bump it on
# purpose. 4.14.1 was the latest on npm on 2026-11-30.
AXE_CORE_VERSION=4.14.1
need=""
command -v chromium >/dev/null 2>&1 || need="$need chromium"
command -v pdftotext >/dev/null 2>&1 || need="$need poppler-utils"
command -v npm >/dev/null 2>&1 || need="$need nodejs npm"
if [ -n "$need" ]; then
    apt-get update
    # shellcheck disable=SC2086 # one word per package
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $need fonts-dejavu-core
fi
if [ "$(node -p "try { require('./node_modules/axe-core/package.json').version } catch (e) { '' }")" != "$AXE_CORE_VERSION" ]; then
    npm install --no-save --no-audit --no-fund "axe-core@$AXE_CORE_VERSION"
fi
