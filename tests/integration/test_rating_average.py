"""The rating average production stores (SQL) is the domain's definition, to the last digit."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from photoshare.adapters.sql.ratings import _average
from photoshare.config import sqlalchemy_url
from photoshare.domain.ratings import RATING_MAX, RATING_MIN, RatingSummary


async def test_sql_and_domain_agree_on_every_mean_of_up_to_40_ratings(database_url: str) -> None:
    cases = [
        (total, count)
        for count in range(1, 41)
        for total in range(count * RATING_MIN, count * RATING_MAX + 1)
    ]
    engine = create_async_engine(sqlalchemy_url(database_url))
    try:
        async with engine.connect() as conn:
            values = sa.values(
                sa.column("total", sa.Integer), sa.column("count", sa.Integer), name="cases"
            ).data(cases)
            rows = (
                await conn.execute(
                    sa.select(values.c.total, values.c.count, _average(values.c.total, values.c.count))
                )
            ).all()
    finally:
        await engine.dispose()
    disagreements = [
        (total, count, float(stored), RatingSummary(count=count, total=total).average)
        for total, count, stored in rows
        if float(stored) != RatingSummary(count=count, total=total).average
    ]
    assert len(rows) == len(cases)
    assert disagreements == []


def test_the_classic_half_is_rounded_away_from_zero() -> None:
    assert RatingSummary(count=8, total=17).average == 2.13
    assert RatingSummary().average is None
