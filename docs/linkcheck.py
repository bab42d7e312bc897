#!/usr/bin/env python3
"""Checks every internal link of a built mdBook: the target file exists and, when the
link has a fragment, the target page has an element with that id.

Usage: python3 docs/linkcheck.py docs/book
Exits 1 listing each broken link as `page: href (reason)`. Standard library only.
"""
import os
import sys
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit


class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids = set()
        self.links = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name"):
            if attrs.get(key):
                self.ids.add(attrs[key])
        for key in ("href", "src"):
            value = attrs.get(key)
            if value is not None and not (tag == "link" and key == "href" and "stylesheet" not in (attrs.get("rel") or "")):
                self.links.append(value)


def parse(path):
    page = Page()
    with open(path, encoding="utf-8") as f:
        page.feed(f.read())
    return page


def main(book):
    if not os.path.isdir(book):
        print(f"linkcheck: {book} is not a folder; build the book first", file=sys.stderr)
        return 2
    pages = {}
    for folder, _, files in os.walk(book):
        for name in files:
            if name.endswith(".html"):
                path = os.path.normpath(os.path.join(folder, name))
                pages[path] = parse(path)
    broken = []
    checked = 0
    for path, page in sorted(pages.items()):
        # print.html repeats every chapter with rewritten links; the chapters are checked.
        # 404.html links to the site root, which only exists once the book is served.
        if os.path.basename(path) in ("print.html", "404.html"):
            continue
        for href in page.links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith(("mailto:", "javascript:", "data:")):
                continue
            checked += 1
            target = path if not parts.path else os.path.normpath(
                os.path.join(os.path.dirname(path), unquote(parts.path)))
            if os.path.isdir(target):
                target = os.path.join(target, "index.html")
            if not os.path.exists(target):
                broken.append(f"{os.path.relpath(path, book)}: {href} (no such file)")
                continue
            fragment = unquote(parts.fragment)
            if fragment and target.endswith(".html"):
                if fragment not in pages.get(target, Page()).ids:
                    broken.append(f"{os.path.relpath(path, book)}: {href} (no element with id '{fragment}')")
    for line in broken:
        print(line, file=sys.stderr)
    print(f"linkcheck: {len(pages)} pages, {checked} internal links, {len(broken)} broken")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "docs/book"))
