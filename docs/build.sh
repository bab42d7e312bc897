#!/usr/bin/env bash
# Builds the book into docs/book and fails on a broken internal link.
#
# Installs the pinned mdBook and mdbook-mermaid from crates.io into a cache folder when
# they are missing (about 4 minutes of compiling on 2 cores the first time, seconds after
# that). Mermaid's script is embedded in mdbook-mermaid and written next to book.toml, so
# neither the build nor a reader of the book fetches anything from a CDN.
#
#   docs/build.sh            build and check links
#   JWT_LIFECYCLE_DOCS_TOOLS=/some/dir docs/build.sh   use another cache folder
set -euo pipefail
cd "$(dirname "$0")/.."

MDBOOK_VERSION=0.5.4
MDBOOK_MERMAID_VERSION=0.17.1
TOOLS="${JWT_LIFECYCLE_DOCS_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/jwt-lifecycle/docs-tools}"

install_tool() {
    local name=$1 version=$2
    shift 2
    if [ -x "$TOOLS/bin/$name" ] && "$TOOLS/bin/$name" --version 2>/dev/null | grep -qF "$version"; then
        return
    fi
    echo "docs/build.sh: installing $name $version into $TOOLS" >&2
    cargo install --locked --quiet --version "$version" --root "$TOOLS" "$@" "$name"
}

# Only the features `mdbook build` needs: no local server, no file watcher.
install_tool mdbook "$MDBOOK_VERSION" --no-default-features --features search
install_tool mdbook-mermaid "$MDBOOK_MERMAID_VERSION"
export PATH="$TOOLS/bin:$PATH"

# Always the mermaid.min.js of the pinned preprocessor (it is not committed).
rm -f docs/mermaid.min.js
mdbook-mermaid install docs >/dev/null 2>&1
git diff --quiet -- docs/book.toml 2>/dev/null || {
    echo "docs/build.sh: mdbook-mermaid changed docs/book.toml; keep its [preprocessor.mermaid] and additional-js in the committed file" >&2
}

mdbook build docs

# The link checker must be able to fail: a page with a broken file link and a broken
# fragment is rejected, the same page fixed is accepted.
probe="$(mktemp -d)"
trap 'rm -rf "$probe"' EXIT
printf '<a href="b.html#x">b</a><a href="missing.html">m</a>' > "$probe/a.html"
printf '<h1 id="y">b</h1>' > "$probe/b.html"
if python3 docs/linkcheck.py "$probe" >/dev/null 2>&1; then
    echo "docs/build.sh: the link checker accepted broken links" >&2
    exit 1
fi
printf '<a href="b.html#y">b</a>' > "$probe/a.html"
python3 docs/linkcheck.py "$probe" >/dev/null

python3 docs/linkcheck.py docs/book
