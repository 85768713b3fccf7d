"""The Unicode rules of domain/text.py, field by field: one form (NFC, NFKC for identities),
no control or invisible characters where a name is expected, something visible where text
must say something."""

from __future__ import annotations

import unicodedata

import pytest

from photoshare.domain import text
from photoshare.domain.comments import validate_text
from photoshare.domain.errors import InvalidInput
from photoshare.domain.photos import normalise_tag, tag_key, tag_set, validate_description
from photoshare.domain.users import (
    normalise_login,
    validate_bio,
    validate_email,
    validate_full_name,
    validate_username,
)
from tests.unit.factories import UserFactory

CAFE_NFC = "caf\u00e9"
CAFE_NFD = "cafe\u0301"
ZWSP, RLO, LRI, BOM, SHY = "\u200b", "\u202e", "\u2066", "\ufeff", "\u00ad"
ZWNJ, ZWJ = "\u200c", "\u200d"
LINE_SEP, PARA_SEP = "\u2028", "\u2029"
HANGUL_FILLER, BRAILLE_BLANK = "\u3164", "\u2800"

# Characters refused in every single-line name: format (Cf), control (Cc), line breaks (Zl, Zp).
NOT_IN_A_NAME = [
    ZWSP,
    RLO,
    LRI,
    BOM,
    SHY,
    ZWNJ,
    ZWJ,
    "\t",
    "\n",
    "\r",
    "\x00",
    "\x7f",
    "\x85",
    LINE_SEP,
    PARA_SEP,
]
# Characters refused in multi-line text: every Cc/Cf but LF, tab and the joiners.
NOT_IN_TEXT = [ZWSP, RLO, LRI, BOM, SHY, "\x00", "\x07", "\x1b", "\x7f", "\x85"]


def test_the_two_spellings_of_cafe_differ_before_normalisation() -> None:
    assert CAFE_NFC != CAFE_NFD
    assert unicodedata.normalize("NFC", CAFE_NFD) == CAFE_NFC


# --- tags ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [CAFE_NFC, CAFE_NFD, "CAF\u00c9", "CAFE\u0301", " Caf\u00e9 "])
def test_cafe_in_nfc_nfd_and_any_case_is_one_tag(raw: str) -> None:
    assert normalise_tag(raw) == CAFE_NFC
    assert tag_key(raw) == CAFE_NFC


def test_cafe_in_nfc_and_nfd_is_one_tag_in_a_tag_set() -> None:
    assert tag_set([CAFE_NFC, CAFE_NFD]) == (CAFE_NFC,)


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("\uff23\uff21\uff26\uff25", "cafe"),
        ("\ufb01sh", "fish"),
        ("Stra\u00dfe", "strasse"),
        ("new\u00a0york", "new york"),
    ],
)
def test_tags_are_compared_nfkc_case_folded(raw: str, name: str) -> None:
    assert normalise_tag(raw) == name


def test_a_fullwidth_comma_separates_tags_like_a_comma() -> None:
    assert tag_set(["a\uff0cb"]) == ("a", "b")


@pytest.mark.parametrize("bad", NOT_IN_A_NAME)
def test_a_tag_with_a_control_or_invisible_character_is_refused(bad: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        tag_set([f"ca{bad}fe"])
    assert caught.value.field == "tags"


@pytest.mark.parametrize("blank", [ZWJ, HANGUL_FILLER, BRAILLE_BLANK, "\u0301"])
def test_a_tag_with_nothing_visible_is_refused(blank: str) -> None:
    with pytest.raises(InvalidInput):
        normalise_tag(blank)


def test_the_tag_length_counts_after_normalisation() -> None:
    assert normalise_tag(CAFE_NFD * 8) == CAFE_NFC * 8  # 40 code points in, 32 out
    with pytest.raises(InvalidInput):
        normalise_tag("\u00df" * 17)  # 17 in, "ss" * 17 = 34 out


# --- emails and log-in names ----------------------------------------------------------------------


def test_an_email_is_stored_in_nfkc_with_its_case_kept() -> None:
    assert validate_email("X@ex\u00e4mple.com") == "X@ex\u00e4mple.com"
    assert validate_email("x@exa\u0308mple.com") == "x@ex\u00e4mple.com"
    assert validate_email("\uff58@example.com") == "x@example.com"


@pytest.mark.parametrize("bad", NOT_IN_A_NAME)
def test_an_email_with_a_control_or_invisible_character_is_refused(bad: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_email(f"x{bad}y@example.com")
    assert caught.value.field == "email"


def test_an_email_log_in_is_looked_up_in_the_stored_form() -> None:
    assert normalise_login(" x@exa\u0308mple.com ") == "x@ex\u00e4mple.com"
    assert normalise_login(" alice ") == "alice"


# --- usernames ------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", NOT_IN_A_NAME)
def test_a_username_with_a_control_or_invisible_character_is_refused(bad: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_username(f"ali{bad}ce")
    assert caught.value.field == "username"


# --- full name and bio ----------------------------------------------------------------------------


def test_a_full_name_is_nfc_and_trimmed() -> None:
    assert validate_full_name(" Ren" + "e\u0301" + " ") == "Ren\u00e9"


@pytest.mark.parametrize("bad", NOT_IN_A_NAME)
def test_a_full_name_with_a_control_or_invisible_character_is_refused(bad: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_full_name(f"Alice{bad}Liddell")
    assert caught.value.field == "full_name"


@pytest.mark.parametrize("blank", [HANGUL_FILLER, BRAILLE_BLANK])
def test_a_full_name_of_only_blank_look_alikes_is_refused(blank: str) -> None:
    with pytest.raises(InvalidInput):
        validate_full_name(blank * 3)


def test_a_full_name_may_still_be_empty() -> None:
    assert validate_full_name("") == ""


def test_the_full_name_limit_counts_after_normalisation() -> None:
    # U+0958 has no precomposed NFC form: it becomes two code points, 51 * 2 = 102 > 100.
    with pytest.raises(InvalidInput):
        validate_full_name("\u0958" * 51)


def test_a_bio_keeps_line_feeds_and_tabs_and_turns_cr_lf_into_lf() -> None:
    assert validate_bio("line one\r\n\tline two\rthree") == "line one\n\tline two\nthree"


@pytest.mark.parametrize("bad", NOT_IN_TEXT)
def test_a_bio_with_another_control_or_format_character_is_refused(bad: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_bio(f"hello{bad}world")
    assert caught.value.field == "bio"


def test_the_profile_edit_applies_the_full_name_and_bio_rules() -> None:
    user = UserFactory.build()
    assert user.with_profile(full_name="Ren" + "e\u0301", bio=None, email=None).full_name == "Ren\u00e9"
    with pytest.raises(InvalidInput):
        user.with_profile(full_name=f"evil{RLO}txt.exe", bio=None, email=None)
    with pytest.raises(InvalidInput):
        user.with_profile(full_name=None, bio=f"hi{ZWSP}", email=None)


# --- comments and descriptions --------------------------------------------------------------------


def test_a_comment_is_nfc() -> None:
    assert validate_text(CAFE_NFD) == CAFE_NFC


def test_a_comment_keeps_line_feeds_tabs_and_emoji_joiners() -> None:
    family = "\U0001f468" + ZWJ + "\U0001f469" + ZWJ + "\U0001f467"
    assert (
        validate_text(f"first\n\tsecond {family} mi{ZWNJ}khaham")
        == f"first\n\tsecond {family} mi{ZWNJ}khaham"
    )


@pytest.mark.parametrize("bad", NOT_IN_TEXT)
def test_a_comment_with_another_control_or_format_character_is_refused(bad: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_text(f"nice{bad}photo")
    assert caught.value.field == "text"


@pytest.mark.parametrize(
    "blank", [" ", ZWSP, ZWJ, ZWNJ + ZWJ, HANGUL_FILLER, BRAILLE_BLANK, "\u0301", "\n\t\n"]
)
def test_a_comment_of_only_invisible_characters_is_refused_like_a_blank_one(blank: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_text(blank)
    assert caught.value.field == "text"


def test_a_description_is_nfc_and_may_be_empty() -> None:
    assert validate_description(f"at the {CAFE_NFD}\r\n") == f"at the {CAFE_NFC}"
    assert validate_description("") == ""


@pytest.mark.parametrize("bad", NOT_IN_TEXT)
def test_a_description_with_another_control_or_format_character_is_refused(bad: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_description(f"sun{bad}set")
    assert caught.value.field == "description"


# --- the helpers ----------------------------------------------------------------------------------


def test_fold_is_nfkc_case_folding() -> None:
    assert text.fold("\u212b") == "\u00e5"  # ANGSTROM SIGN
    assert text.fold("\u1e9e") == "ss"  # CAPITAL SHARP S
