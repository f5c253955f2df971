#!/usr/bin/python3
# doc/reply-codes.md must list every reply the daemon writes with a literal code: a reply
# an operator cannot look up is a reply nobody can act on.
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1])
doc = (root / "doc" / "reply-codes.md").read_text()
pattern = re.compile(r'reply(?:WithRef)?\(\s*(\d{3}),\s*"([245]\.\d{1,3}\.\d{1,3})"')
used = set()
for source in sorted((root / "src").rglob("*.cc")):
    for code, enhanced in pattern.findall(source.read_text()):
        used.add((code, enhanced, source.relative_to(root)))
missing = sorted(u for u in used if f"{u[0]} {u[1]}" not in doc)
for code, enhanced, source in missing:
    print(f"{source}: {code} {enhanced} is not in doc/reply-codes.md")
if not used:
    print("no replies found: the pattern no longer matches the code")
sys.exit(1 if missing or not used else 0)
