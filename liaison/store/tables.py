"""SQLAlchemy tables of the store. Entities keep their FtM JSON with indexed columns beside it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = ["AgencyRow", "Base", "DatasetRow", "EntityRow", "ImportRow", "MatchPairRow"]


class Base(DeclarativeBase):
    """Declarative base of every Liaison table."""


class AgencyRow(Base):
    """A member agency."""

    __tablename__ = "agency"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    country: Mapped[str] = mapped_column(String(2), index=True)
    kind: Mapped[str] = mapped_column(String(16))


class DatasetRow(Base):
    """A named collection of entities that one agency owns and shares under one handling code."""

    __tablename__ = "dataset"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(255))
    owner_agency: Mapped[str] = mapped_column(ForeignKey("agency.code"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ImportRow(Base):
    """One import run: what was read, from where, by whom, and how many entities it wrote."""

    __tablename__ = "import_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dataset: Mapped[str] = mapped_column(ForeignKey("dataset.name"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(Text)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    entities: Mapped[int] = mapped_column(Integer, default=0)


class EntityRow(Base):
    """An FtM entity with its envelope. `(dataset, id)` is the key: an agency's copy is its own."""

    __tablename__ = "entity"

    dataset: Mapped[str] = mapped_column(ForeignKey("dataset.name"), primary_key=True)
    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    schema: Mapped[str] = mapped_column(String(64))
    caption: Mapped[str] = mapped_column(String(512))
    properties: Mapped[dict[str, list[str]]] = mapped_column(JSON)
    # No foreign keys on owner_agency and import_run: the import service sets both from the
    # dataset it has claimed, and each extra key check cost about 5 µs per row written.
    owner_agency: Mapped[str] = mapped_column(String(32))
    handling: Mapped[str] = mapped_column(String(16))
    releasability: Mapped[list[str]] = mapped_column(JSON)
    purpose: Mapped[str] = mapped_column(Text)
    provenance: Mapped[str] = mapped_column(Text)
    import_run: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    retention_review: Mapped[dt.date] = mapped_column(Date)

    __table_args__ = (
        Index("ix_entity_id", "id"),
        Index("ix_entity_dataset_schema", "dataset", "schema"),
        Index("ix_entity_owner_handling", "owner_agency", "handling"),
        Index("ix_entity_caption", "caption"),
        Index("ix_entity_retention", "retention_review"),
    )


class MatchPairRow(Base):
    """A candidate pair from xref and the reviewer's decision on it: pending, confirmed or dismissed.

    The entities are named by (dataset, id) without foreign keys: a decision outlives a re-import
    or a deletion of its entities, because reviewers' work is never lost.
    """

    __tablename__ = "match_pair"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    left_dataset: Mapped[str] = mapped_column(String(64))
    left_id: Mapped[str] = mapped_column(String(255))
    right_dataset: Mapped[str] = mapped_column(String(64))
    right_id: Mapped[str] = mapped_column(String(255))
    score: Mapped[float] = mapped_column(Float)
    features: Mapped[dict[str, dict[str, float | str]]] = mapped_column(JSON)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    decided_by: Mapped[str | None] = mapped_column(String(255), nullable=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_match_pair_status", "status"),
        Index("ix_match_pair_left_dataset", "left_dataset"),
        Index("ix_match_pair_right_dataset", "right_dataset"),
    )
