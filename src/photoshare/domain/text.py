"""Text rules shared by every human-written field: one Unicode form, no invisible tricks.

- Stored text is NFC, so a `café` typed as `e` + combining accent (NFD) is the same string as
  the precomposed one. Names compared for identity (tags, emails) use NFKC as well, which also
  folds compatibility forms (fullwidth letters, ligatures, no-break spaces); tags are
  case-folded on top (`fold`).
- Refused everywhere: control characters (Cc), format characters (Cf: zero-width spaces,
  bidi overrides and isolates, the BOM, soft hyphens) and lone surrogates (Cs).
- Single-line names (tags, emails, usernames, full names) also refuse the line and paragraph
  separators U+2028/U+2029.
- Multi-line text (comments, descriptions, bios) keeps line feeds and tabs (CR LF and lone CR
  become LF), and the zero-width (non-)joiners U+200C/U+200D, which emoji sequences and
  Persian and Indic scripts need; every other Cc/Cf is refused.
- Text that must say something (a comment, a tag, a non-empty name) needs one visible
  character: a letter, digit, punctuation or symbol that is not a known blank look-alike
  (Hangul fillers, the blank Braille pattern). Whitespace, joiners and lone marks are not.
"""

from __future__ import annotations

import unicodedata

from photoshare.domain.errors import InvalidInput

_REFUSED = frozenset({"Cc", "Cf", "Cs"})
_REFUSED_IN_A_LINE = _REFUSED | {"Zl", "Zp"}
MULTILINE_KEEPS = frozenset("\n\t\u200c\u200d")
# Letters and symbols that render as nothing: Hangul fillers and the blank Braille pattern.
BLANK_LOOKALIKES = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def fold(text: str) -> str:
    """NFKC case folding: the form in which two names are the same name."""
    return nfkc(nfkc(text).casefold())


def has_visible(text: str) -> bool:
    return any(unicodedata.category(ch)[0] in "LNPS" and ch not in BLANK_LOOKALIKES for ch in text)


def _refused_character(text: str, refused: frozenset[str], keeps: frozenset[str] = frozenset()) -> str | None:
    return next((ch for ch in text if ch not in keeps and unicodedata.category(ch) in refused), None)


def _describe(ch: str) -> str:
    return f"U+{ord(ch):04X} {unicodedata.name(ch, unicodedata.category(ch))}"


def check_line(text: str, *, field: str) -> str:
    """`text` (already normalised) when it holds no control, format or line-break character."""
    bad = _refused_character(text, _REFUSED_IN_A_LINE)
    if bad is not None:
        raise InvalidInput(
            f"{field} must not contain control or invisible characters ({_describe(bad)})", field=field
        )
    return text


def single_line(text: str, *, field: str) -> str:
    """NFC, trimmed, and free of control, format and line-break characters."""
    return check_line(nfc(text).strip(), field=field)


def multi_line(text: str, *, field: str) -> str:
    """NFC with LF line ends, trimmed; line feeds, tabs and joiners are the only Cc/Cf kept."""
    text = nfc(text.replace("\r\n", "\n").replace("\r", "\n")).strip()
    bad = _refused_character(text, _REFUSED, MULTILINE_KEEPS)
    if bad is not None:
        raise InvalidInput(
            f"{field} must not contain control or invisible characters ({_describe(bad)})", field=field
        )
    return text


#: The characters `str.strip()` and Python's `\s` treat as white space, spelled out so that a
#: pattern built with them means the same in Python and in JSON Schema's (ECMA-262) regexes.
SPACE = r" \t\n\r\f\v\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
#: Text with something in it besides white space (an unanchored pattern: "contains").
NOT_BLANK = f"[^{SPACE}]"
