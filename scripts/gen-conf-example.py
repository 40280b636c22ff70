#!/usr/bin/env python3
"""Writes wyzer.conf.example from the key table in src/app/config_keys.h.

Run after adding a key: python3 scripts/gen-conf-example.py > wyzer.conf.example
(tests/unit/test_config.c checks that the example documents every key)."""
import re
import sys
from pathlib import Path

src = Path(__file__).resolve().parent.parent / "src/app/config_keys.h"
row = re.compile(r'X\((\w+), (\w+), (\w+), "([^"]*)", ([^,]+), ([^,]+), "([^"]*)", "([^"]*)"\)')
out = sys.stdout
out.write("; wyzer.conf.example: every Wyzer setting, with its default.\n"
          ";\n"
          "; Copy to ~/.config/wyzer/wyzer.conf (or pass --config FILE) and uncomment what\n"
          "; you change. Every key can also be set with an environment variable\n"
          "; WYZER_<SECTION>_<KEY> or on the command line with --set section.key=value.\n"
          "; Precedence: command line > environment > this file > default.\n")
section = None
text = src.read_text()
rows = list(row.finditer(text))
# A row the pattern cannot read (a '"' inside a string, say) would silently
# drop its key from the example: refuse instead.
if len(rows) != text.count("    X("):
    sys.exit("gen-conf-example: %d of %d X(...) rows in %s match the pattern; no '\"' inside their strings"
             % (len(rows), text.count("    X("), src))
for m in rows:
    sec, key, typ, default, lo, hi, choices, helptext = m.groups()
    if sec != section:
        section = sec
        out.write(f"\n[{sec}]\n")
    extra = ""
    if choices:
        extra = f" ({choices.replace('|', ', ')})"
    elif typ in ("INT", "DBL"):
        extra = f" (range {lo.strip()} to {hi.strip()})"
    elif typ == "BOOL":
        extra = " (true or false)"
    out.write(f"; {helptext}{extra}\n;{key} = {default}\n")
