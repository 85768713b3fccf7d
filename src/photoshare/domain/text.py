"""Text facts shared by the rules that read human-written text."""

from __future__ import annotations

#: The characters `str.strip()` and Python's `\s` treat as white space, spelled out so that a
#: pattern built with them means the same in Python and in JSON Schema's (ECMA-262) regexes.
SPACE = r" \t\n\r\f\v\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
#: Text with something in it besides white space (an unanchored pattern: "contains").
NOT_BLANK = f"[^{SPACE}]"
