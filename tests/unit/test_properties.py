"""Properties of the domain rules, checked by Hypothesis over generated inputs.

- tags: `tag_set` is idempotent, gives at most five distinct trimmed, NFKC-case-folded names of
  1-32 characters, or refuses with `InvalidInput` exactly when the input breaks a rule;
- transformations: every valid combination survives `canonical()` -> `from_canonical()`,
  values out of range refuse, and no text makes `from_canonical` fail otherwise;
- ratings: any sequence of additions and removals keeps `RatingSummary` exact;
- comments: only the author edits; only moderators and admins delete.
"""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from photoshare.domain.comments import COMMENT_MAX, Comment, ensure_may_delete
from photoshare.domain.errors import Forbidden, InvalidInput
from photoshare.domain.photos import MAX_TAGS_PER_PHOTO, TAG_MAX_LENGTH, tag_set
from photoshare.domain.ratings import RATING_MAX, RATING_MIN, RatingSummary
from photoshare.domain.text import BLANK_LOOKALIKES
from photoshare.domain.transformations import (
    ANGLE_MAX,
    ANGLE_MIN,
    CROPS,
    DIMENSION_MAX,
    DIMENSION_MIN,
    EFFECTS,
    FORMATS,
    GRAVITIES,
    QUALITY_MAX,
    QUALITY_MIN,
    RADIUS_MAX,
    RADIUS_MIN,
    Transformation,
)
from photoshare.domain.users import Role, User

# Reproducible in CI (the same inputs every run) and quick: these are pure functions.
checked = settings(deadline=None, derandomize=True, max_examples=200, database=None)

# --- tags -------------------------------------------------------------------------------------------

# Short names from a small alphabet collide often (so duplicates and case variants appear);
# any text at all covers the rest (Unicode case mapping, odd whitespace, long names).
_tag_text = st.one_of(
    st.text(alphabet=st.sampled_from("aAbBcC ,\t-éÉ\u0301\u200b\u3164\uff21\u00df\uff33\uff0c"), max_size=12),
    st.text(max_size=40),
)
raw_tags = st.lists(_tag_text, max_size=8)


def _expected_tags(raw_names: list[str]) -> tuple[str, ...] | None:
    """The rule, stated plainly: None where the names must be refused."""
    names: list[str] = []
    for raw in raw_names:
        folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", raw).casefold())
        for piece in folded.split(","):
            if not piece.strip():
                continue
            name = piece.strip()
            categories = [unicodedata.category(ch) for ch in name]
            if {"Cc", "Cf", "Cs", "Zl", "Zp"} & set(categories):
                return None
            visible = [
                ch
                for ch, cat in zip(name, categories, strict=True)
                if cat[0] in "LNPS" and ch not in BLANK_LOOKALIKES
            ]
            if not 1 <= len(name) <= TAG_MAX_LENGTH or not visible:
                return None
            if name not in names:
                names.append(name)
    return tuple(names) if len(names) <= MAX_TAGS_PER_PHOTO else None


@checked
@given(raw_tags)
def test_tag_set_refuses_exactly_when_a_rule_is_broken(raw_names: list[str]) -> None:
    expected = _expected_tags(raw_names)
    if expected is None:
        with pytest.raises(InvalidInput) as refused:
            tag_set(raw_names)
        assert refused.value.field == "tags"
    else:
        assert tag_set(raw_names) == expected


@checked
@given(raw_tags)
def test_tag_set_gives_few_distinct_normalised_names_and_is_idempotent(raw_names: list[str]) -> None:
    try:
        names = tag_set(raw_names)
    except InvalidInput:
        return
    assert len(names) <= MAX_TAGS_PER_PHOTO
    assert len(set(names)) == len(names)
    for name in names:
        assert 1 <= len(name) <= TAG_MAX_LENGTH
        assert name == name.strip()
        assert name == unicodedata.normalize("NFKC", name.casefold())
        assert "," not in name
    assert tag_set(names) == names
    assert tag_set([",".join(names)]) == names


@checked
@given(st.lists(st.text(alphabet="abcdefghij", min_size=1, max_size=5), min_size=6, max_size=12, unique=True))
def test_more_than_five_distinct_tags_are_refused(names: list[str]) -> None:
    with pytest.raises(InvalidInput):
        tag_set(names)


# --- transformations --------------------------------------------------------------------------------

_NEEDS_A_SIZE = ("fill", "crop", "thumb", "pad")
_OPTIONS: dict[str, st.SearchStrategy[Any]] = {
    "width": st.integers(DIMENSION_MIN, DIMENSION_MAX),
    "height": st.integers(DIMENSION_MIN, DIMENSION_MAX),
    "crop": st.sampled_from(CROPS),
    "gravity": st.sampled_from(GRAVITIES),
    "angle": st.integers(ANGLE_MIN, ANGLE_MAX),
    "effect": st.sampled_from(EFFECTS),
    "radius": st.one_of(st.integers(RADIUS_MIN, RADIUS_MAX), st.just("max")),
    "format": st.sampled_from(FORMATS),
    "quality": st.integers(QUALITY_MIN, QUALITY_MAX),
}
_RANGES = {
    "width": (DIMENSION_MIN, DIMENSION_MAX),
    "height": (DIMENSION_MIN, DIMENSION_MAX),
    "angle": (ANGLE_MIN, ANGLE_MAX),
    "radius": (RADIUS_MIN, RADIUS_MAX),
    "quality": (QUALITY_MIN, QUALITY_MAX),
}


@st.composite
def valid_options(draw: st.DrawFn) -> dict[str, Any]:
    chosen = draw(st.sets(st.sampled_from(sorted(_OPTIONS)), min_size=1))
    options = {name: draw(_OPTIONS[name]) for name in chosen}
    if options.get("crop") in _NEEDS_A_SIZE and "width" not in options and "height" not in options:
        options[draw(st.sampled_from(["width", "height"]))] = draw(_OPTIONS["width"])
    return options


@checked
@given(valid_options())
def test_every_valid_transformation_round_trips_through_its_canonical_text(options: dict[str, Any]) -> None:
    transformation = Transformation.from_mapping(options)
    text = transformation.canonical()
    assert Transformation.from_canonical(text) == transformation
    assert Transformation.from_canonical(text).canonical() == text
    assert transformation.as_dict() == options


@checked
@given(valid_options(), st.randoms())
def test_the_canonical_text_ignores_the_order_options_come_in(options: dict[str, Any], rnd: Any) -> None:
    items = list(options.items())
    rnd.shuffle(items)
    assert (
        Transformation.from_mapping(dict(items)).canonical()
        == Transformation.from_mapping(options).canonical()
    )


@st.composite
def out_of_range(draw: st.DrawFn) -> tuple[str, Any]:
    name = draw(st.sampled_from(sorted(_RANGES)))
    low, high = _RANGES[name]
    value = draw(
        st.one_of(
            st.integers(max_value=low - 1),
            st.integers(min_value=high + 1),
            st.booleans(),
            st.floats(allow_nan=True),
            st.text(max_size=10).filter(lambda t: t != "max" or name != "radius"),
        )
    )
    return name, value


@checked
@given(valid_options(), out_of_range())
def test_a_value_out_of_range_is_refused_naming_its_option(
    options: dict[str, Any], bad: tuple[str, Any]
) -> None:
    name, value = bad
    with pytest.raises(InvalidInput) as refused:
        Transformation.from_mapping(options | {name: value})
    assert refused.value.field == name


@checked
@given(
    valid_options(),
    st.sampled_from(["crop", "gravity", "effect", "format"]),
    st.text(max_size=12),
)
def test_a_choice_outside_the_list_is_refused(options: dict[str, Any], name: str, value: str) -> None:
    allowed = {"crop": CROPS, "gravity": GRAVITIES, "effect": EFFECTS, "format": FORMATS}[name]
    assume(value not in allowed)
    with pytest.raises(InvalidInput):
        Transformation.from_mapping(options | {name: value})


@checked
@given(st.dictionaries(st.text(max_size=10), st.integers(1, 100), min_size=1))
def test_unknown_option_names_are_refused(options: dict[str, int]) -> None:
    known = {f.name for f in fields(Transformation)}
    assume(set(options) - known)
    with pytest.raises(InvalidInput):
        Transformation.from_mapping(options)


@checked
@given(st.one_of(st.text(max_size=60), st.text(alphabet="acefghqrw_,0123456789-max", max_size=40)))
def test_any_text_is_a_transformation_or_invalid_input_never_a_crash(text: str) -> None:
    try:
        transformation = Transformation.from_canonical(text)
    except InvalidInput:
        return
    # What was accepted names a valid transformation, and its canonical text parses back.
    assert Transformation.from_canonical(transformation.canonical()) == transformation


# --- ratings ----------------------------------------------------------------------------------------

_values = st.integers(RATING_MIN, RATING_MAX)
_steps = st.lists(
    st.one_of(st.tuples(st.just("add"), _values), st.tuples(st.just("remove"), st.integers(0, 99)))
)


@checked
@given(_steps)
def test_a_summary_follows_any_sequence_of_ratings_added_and_removed(steps: list[tuple[str, int]]) -> None:
    summary, ratings = RatingSummary(), list[int]()
    for action, number in steps:
        if action == "add":
            summary, ratings = summary.add(number), [*ratings, number]
        elif ratings:
            value = ratings.pop(number % len(ratings))
            summary = summary.remove(value)
        else:
            with pytest.raises(InvalidInput):
                summary.remove(RATING_MIN)
        assert summary.count == len(ratings)
        assert summary.total == sum(ratings)
        if ratings:
            assert summary.average == round(summary.total / summary.count, 2)
            assert RATING_MIN <= summary.average <= RATING_MAX
            assert abs(Fraction(summary.average) - Fraction(sum(ratings), len(ratings))) <= Fraction(1, 200)
        else:
            assert summary.average is None


@checked
@given(st.one_of(st.integers(max_value=RATING_MIN - 1), st.integers(min_value=RATING_MAX + 1), st.booleans()))
def test_a_value_outside_1_to_5_is_never_added(value: int) -> None:
    with pytest.raises(InvalidInput):
        RatingSummary(3, 12).add(value)


# --- comments ---------------------------------------------------------------------------------------

CREATED = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


@st.composite
def users(draw: st.DrawFn) -> User:
    return User(
        id=draw(st.uuids()),
        username="someone",
        email="someone@example.org",
        password_hash="x",
        role=draw(st.sampled_from(list(Role))),
        is_active=draw(st.booleans()),
        created_at=CREATED,
    )


@st.composite
def comment_and_author(draw: st.DrawFn) -> tuple[Comment, User]:
    author = draw(users())
    comment = Comment(uuid.uuid4(), uuid.uuid4(), author.id, "first thought", CREATED, CREATED)
    return comment, author


# Comment text the rules accept (domain/text.py): no control or format characters, something visible.
_texts = st.text(
    alphabet=st.characters(categories=["L", "M", "N", "P", "S", "Zs"], exclude_characters=BLANK_LOOKALIKES),
    min_size=1,
    max_size=COMMENT_MAX // 4,
).filter(lambda t: any(unicodedata.category(ch)[0] in "LNPS" for ch in t))


@checked
@given(
    comment_and_author(),
    users(),
    _texts,
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=400)),
)
def test_only_the_author_edits_whatever_their_role(
    written: tuple[Comment, User], other: User, text: str, after: timedelta
) -> None:
    comment, author = written
    assume(other.id != author.id)
    with pytest.raises(Forbidden):
        comment.edit(by=other, text=text, now=CREATED + after)
    edited = comment.edit(by=author, text=text, now=CREATED + after)
    assert (edited.text, edited.created_at, edited.updated_at) == (
        unicodedata.normalize("NFC", text).strip(),
        CREATED,
        CREATED + after,
    )
    assert (edited.id, edited.author_id, edited.photo_id) == (comment.id, comment.author_id, comment.photo_id)


@checked
@given(comment_and_author(), users(), st.booleans())
def test_only_moderators_and_admins_delete_the_author_included(
    written: tuple[Comment, User], other: User, by_author: bool
) -> None:
    comment, author = written
    deleter = author if by_author else other
    if deleter.role in (Role.MODERATOR, Role.ADMIN):
        ensure_may_delete(comment, deleter)
    else:
        with pytest.raises(Forbidden):
            ensure_may_delete(comment, deleter)
