#!/usr/bin/env python3
"""Checks every link in the built manual (target/book/) and in README.md.

A relative link must name a file that exists, and its #fragment an id in
that file; links to other hosts are not fetched (CI has no network) but must
be https (or the reporter site's local address). Exits 1 listing each broken
link.
"""
import html.parser
import os
import re
import sys
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BOOK = os.path.join(ROOT, "target", "book")
ALLOWED_PLAIN = ("http://127.0.0.1",)


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = set()
        self.links = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and "name" in a:
            self.ids.add(a["name"])
        for key in ("href", "src"):
            if key in a and a[key] is not None:
                self.links.append(a[key])


def parse(path, cache={}):
    if path not in cache:
        p = Page()
        with open(path, encoding="utf-8") as f:
            p.feed(f.read())
        cache[path] = p
    return cache[path]


def external_ok(url):
    return url.startswith("https://") or url.startswith(ALLOWED_PLAIN) or url.startswith("mailto:")


def check_book(errors):
    for dirpath, _, files in os.walk(BOOK):
        for name in files:
            if not name.endswith(".html"):
                continue
            page = os.path.join(dirpath, name)
            for link in parse(page).links:
                if re.match(r"^[a-z]+:", link):
                    if not external_ok(link):
                        errors.append(f"{os.path.relpath(page, BOOK)}: insecure link {link}")
                    continue
                target, _, frag = link.partition("#")
                target = urllib.parse.unquote(target)
                dest = page if target == "" else os.path.normpath(os.path.join(dirpath, target))
                if target.endswith("/"):
                    dest = os.path.join(dest, "index.html")
                if not os.path.exists(dest):
                    errors.append(f"{os.path.relpath(page, BOOK)}: no such file {link}")
                elif frag and dest.endswith(".html") and frag not in parse(dest).ids:
                    errors.append(f"{os.path.relpath(page, BOOK)}: no anchor {link}")


def check_readme(errors):
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        text = f.read()
    for link in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"^[a-z]+:", link):
            if not external_ok(link):
                errors.append(f"README.md: insecure link {link}")
            continue
        target = link.partition("#")[0]
        if not os.path.exists(os.path.join(ROOT, target)):
            errors.append(f"README.md: no such file {link}")


def main():
    if not os.path.isdir(BOOK):
        print("target/book/ missing: run `mdbook build docs` first", file=sys.stderr)
        return 1
    errors = []
    check_book(errors)
    check_readme(errors)
    for e in errors:
        print(e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
