"""The CITES trade records table: replaced whole on import, summed per year, and checked for
importer/exporter discrepancies. Public reference data, read without an access filter."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, case, delete, func, insert, select
from sqlalchemy.orm import Session

from liaison.store.tables import CitesTradeRow

__all__ = ["TradeYear", "discrepancies", "replace_trade", "trade_per_year"]

_BATCH = 5_000
TERMS = {
    "live": ("live", ""),
    "scales_kg": ("scales", "kg"),
    "skins": ("skins", ""),
    "bodies": ("bodies", ""),
}
"""The terms summed per year: (term, unit), the empty unit a count."""


@dataclass(frozen=True, slots=True)
class TradeYear:
    """Legal trade in a year: records, and quantities of the main terms (the exporter's figure,
    or the importer's where the exporter reported none); records of confiscated specimens."""

    year: int
    records: int
    quantities: dict[str, float]
    confiscated: int


def replace_trade(session: Session, rows: Sequence[dict[str, object]]) -> int:
    """Replace every trade record with these rows (CitesTradeRow columns); how many were written."""
    session.execute(delete(CitesTradeRow))
    batch: list[dict[str, object]] = []
    written = 0
    for row in rows:
        batch.append(row)
        if len(batch) >= _BATCH:
            session.execute(insert(CitesTradeRow), batch)
            written, batch = written + len(batch), []
    if batch:
        session.execute(insert(CitesTradeRow), batch)
        written += len(batch)
    return written


def _quantity() -> ColumnElement[float]:
    return func.coalesce(CitesTradeRow.exporter_quantity, CitesTradeRow.importer_quantity, 0.0)


def trade_per_year(session: Session, taxa: Sequence[int]) -> list[TradeYear]:
    """Per year, the trade in these taxa (every taxon when empty)."""
    where = [CitesTradeRow.taxon_id.in_(taxa)] if taxa else []
    confiscated = func.sum(case((CitesTradeRow.source == "I", 1), else_=0))
    query = select(CitesTradeRow.year, func.count(), confiscated).where(*where).group_by(CitesTradeRow.year)
    totals = {int(year): (int(records), int(seized or 0)) for year, records, seized in session.execute(query)}
    quantities: dict[int, dict[str, float]] = {year: dict.fromkeys(TERMS, 0.0) for year in totals}
    for name, (term, unit) in TERMS.items():
        summed = (
            select(CitesTradeRow.year, func.sum(_quantity()))
            .where(*where, CitesTradeRow.term == term, CitesTradeRow.unit == unit)
            .group_by(CitesTradeRow.year)
        )
        for year, total in session.execute(summed):
            quantities[int(year)][name] = float(total or 0.0)
    return [
        TradeYear(year, records, quantities[year], seized)
        for year, (records, seized) in sorted(totals.items())
    ]


def discrepancies(session: Session, taxa: Sequence[int], ratio: float, limit: int) -> list[CitesTradeRow]:
    """Records whose importer and exporter figures differ by more than `ratio` of the larger,
    largest difference first; a figure only one side reported counts as a difference too."""
    imported = func.coalesce(CitesTradeRow.importer_quantity, 0.0)
    exported = func.coalesce(CitesTradeRow.exporter_quantity, 0.0)
    larger = (
        func.max(imported, exported)
        if session.get_bind().dialect.name == "sqlite"
        else func.greatest(imported, exported)
    )
    query = (
        select(CitesTradeRow)
        .where(func.abs(imported - exported) > larger * ratio)
        .order_by(func.abs(imported - exported).desc(), CitesTradeRow.id)
        .limit(limit)
    )
    if taxa:
        query = query.where(CitesTradeRow.taxon_id.in_(taxa))
    return list(session.scalars(query))
