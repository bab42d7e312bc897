#!/usr/bin/env bash
# Builds the book and takes screenshots of the introduction and the lifecycle page in
# headless Chromium (Debian's `chromium`), to see that the pages and the Mermaid diagrams
# render. Writes PNGs to docs/screenshots/ (not committed) or to the folder given.
#
#   docs/screenshot.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-docs/screenshots}"
mkdir -p "$out"

if ! command -v chromium >/dev/null 2>&1; then
    echo "docs/screenshot.sh: installing Debian's chromium" >&2
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
fi

docs/build.sh

profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
shoot() {
    local page=$1 png=$2 size=${3:-1280,2000}
    # --virtual-time-budget lets the page's scripts (Mermaid) run before the shot.
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile" --hide-scrollbars --window-size="$size" \
        --virtual-time-budget=10000 --screenshot="$png" "file://$PWD/docs/book/$page" \
        >/dev/null 2>&1
    [ -s "$png" ] || { echo "docs/screenshot.sh: no screenshot of $page" >&2; exit 1; }
    echo "$png"
}
shoot index.html "$out/index.png"
shoot lifecycle.html "$out/lifecycle.png"
# The diagrams sit below the fold: the whole page, and the per-profile page.
shoot lifecycle.html "$out/lifecycle-full.png" 1280,9000
shoot generated/lifecycle-by-profile.html "$out/lifecycle-by-profile.png"
