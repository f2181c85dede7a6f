"""SQLAlchemy tables of the store. Entities keep their FtM JSON with indexed columns beside it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

__all__ = [
    "AccessRequestRow",
    "AgencyRow",
    "AlertRow",
    "AuditEventRow",
    "AuditHeadRow",
    "Base",
    "CitesTradeRow",
    "DatasetRow",
    "DeliveryRow",
    "DocumentReportRow",
    "EntityChangeRow",
    "EntityRow",
    "FieldResultRow",
    "GroupMemberRow",
    "HitReferenceRow",
    "ImportRow",
    "IndicatorScreeningRow",
    "LoginAttemptRow",
    "ManifestRow",
    "MatchPairRow",
    "MessageRow",
    "NoticeRow",
    "ObservableRow",
    "OperationRow",
    "PassengerRow",
    "PeerNonceRow",
    "PeerRow",
    "ReceiptRow",
    "ReferralRow",
    "SeizureLegRow",
    "SeizureRow",
    "SharingGroupRow",
    "SpeciesNameRow",
    "SpeciesRow",
    "StixObjectRow",
    "StoreFactRow",
    "SubjectDecisionRow",
    "TakedownRow",
    "TaxiiStatusRow",
    "ThreadParticipantRow",
    "ThreadRow",
    "TokenRow",
    "TraffickingCaseRow",
    "TraffickingVictimRow",
    "UserRow",
    "UtcDateTime",
    "WatchRow",
    "WebhookRow",
]


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A timestamp that is always read back aware, in UTC, on every backend.

    SQLite keeps no time zone: without this, what it returns is naive, and JSON readers of the
    API cannot tell the times' offset. Aware times are stored converted to UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        """Aware times in UTC; naive ones are taken as UTC already."""
        if value is not None and value.tzinfo is not None:
            return value.astimezone(dt.UTC)
        return value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        """Times as read, made aware in UTC where the backend kept no zone."""
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value


class Base(DeclarativeBase):
    """Declarative base of every Liaison table."""


class AgencyRow(Base):
    """A member agency."""

    __tablename__ = "agency"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    country: Mapped[str] = mapped_column(String(2), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    node: Mapped[str | None] = mapped_column(String(63), index=True, default=None)
    """The peer node that hosts the agency; None: this node hosts it."""


class DatasetRow(Base):
    """A named collection of entities that one agency owns and shares under one handling code."""

    __tablename__ = "dataset"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(255))
    owner_agency: Mapped[str] = mapped_column(ForeignKey("agency.code"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class ImportRow(Base):
    """One import run: what was read, from where, by whom, and how many entities it wrote."""

    __tablename__ = "import_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dataset: Mapped[str] = mapped_column(ForeignKey("dataset.name"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(Text)
    started_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
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
    # The releasability entries as `|entry|entry|`: the access filter's SQL finds `|agency:X|`
    # in it the same way on SQLite and PostgreSQL.
    release_keys: Mapped[str] = mapped_column(Text, default="|")
    purpose: Mapped[str] = mapped_column(Text)
    provenance: Mapped[str] = mapped_column(Text)
    import_run: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    retention_review: Mapped[dt.date] = mapped_column(Date)

    __table_args__ = (
        Index("ix_entity_id", "id"),
        Index("ix_entity_dataset_schema", "dataset", "schema"),
        Index("ix_entity_owner_handling", "owner_agency", "handling"),
        Index("ix_entity_caption", "caption"),
        Index("ix_entity_retention", "retention_review"),
        # The change feed reads back what one import run wrote (`store.changes`).
        Index("ix_entity_dataset_run", "dataset", "import_run"),
    )


class EntityChangeRow(Base):
    """One change to the entity rows, numbered in commit order: the feed every server's index follows.

    A run of an import names the rows it wrote (`import_run`; the rows still of that run are its
    current content), a deletion names the row it deleted (`entity_id`). Written in the
    transaction of the change, under the lock that orders commits (`store.changes`), so that
    `seq` rises in the order the changes became visible.
    """

    __tablename__ = "entity_change"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dataset: Mapped[str] = mapped_column(String(64))
    import_run: Mapped[int | None] = mapped_column(Integer, nullable=True)
    entity_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime())

    # Never reuse a number, even of a row pruned: a follower's cursor would skip the new one.
    __table_args__ = ({"sqlite_autoincrement": True},)


class EntityLinkRow(Base):
    """An entity property that names another entity (a passport's holder, an ownership's owner).

    The reverse of what the entity JSON says, indexed by target: who points at a record is one
    lookup, not a scan, so a network grows outwards from an entity whatever the size of the
    store. Links carry their import run: a re-import replaces a record's links of earlier runs.
    """

    __tablename__ = "entity_link"

    dataset: Mapped[str] = mapped_column(String(64), primary_key=True)
    source: Mapped[str] = mapped_column(String(255), primary_key=True)
    target: Mapped[str] = mapped_column(String(255), primary_key=True)
    import_run: Mapped[int | None] = mapped_column(Integer, nullable=True)

    __table_args__ = (Index("ix_entity_link_target", "target"),)


class ObservableRow(Base):
    """The observable index: each canonical IP, domain, URL, hash, e-mail, phone or wallet a record
    carries, one row per record and value.

    Correlation is a lookup by (kind, value), so the index grows with the values stored, never
    with the pairs of records sharing one. `ip_key` orders addresses numerically for the range
    scan that finds the addresses inside a network.
    """

    __tablename__ = "observable"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(600), primary_key=True)
    dataset: Mapped[str] = mapped_column(String(64), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    ip_key: Mapped[str | None] = mapped_column(String(40), nullable=True)
    import_run: Mapped[int | None] = mapped_column(Integer, nullable=True)

    __table_args__ = (
        Index("ix_observable_record", "dataset", "entity_id"),
        Index("ix_observable_ip_key", "ip_key"),
    )


class StixObjectRow(Base):
    """A STIX object as it came, every version of it; its record (the FtM mirror) is the entity row
    of the same dataset and id, whose envelope decides who may read any version.

    `version` is the object's `modified` time (or `created`, or when it was added, for cyber
    observables that have neither); TAXII pages through a collection by (added_at, id, version).
    """

    __tablename__ = "stix_object"

    dataset: Mapped[str] = mapped_column(ForeignKey("dataset.name"), primary_key=True)
    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    version: Mapped[dt.datetime] = mapped_column(UtcDateTime(), primary_key=True)
    type: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    document: Mapped[str] = mapped_column(Text)
    import_run: Mapped[int | None] = mapped_column(Integer, nullable=True)

    __table_args__ = (Index("ix_stix_object_added", "dataset", "added_at", "id", "version"),)


class TaxiiStatusRow(Base):
    """What became of a TAXII POST: the status resource the client polls, kept for its agency."""

    __tablename__ = "taxii_status"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    agency: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    document: Mapped[str] = mapped_column(Text)


class TakedownRow(Base):
    """A malicious IP, domain or server of an operation, and how far its takedown has got.

    One row per operation and target: the stage it stands at, the dates it reached each, who
    was notified and which agency answers for it. AMBER to the operation's participants.
    """

    __tablename__ = "takedown"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    operation: Mapped[str] = mapped_column(ForeignKey("operation.id"))
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(600))
    country: Mapped[str] = mapped_column(String(2))
    provider: Mapped[str] = mapped_column(String(200))
    stage: Mapped[str] = mapped_column(String(16))
    agency: Mapped[str] = mapped_column(String(32))
    notified_to: Mapped[str] = mapped_column(String(200), default="")
    identified_on: Mapped[dt.date] = mapped_column(Date)
    notified_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    ended_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())

    __table_args__ = (
        UniqueConstraint("operation", "kind", "value", name="uq_takedown_target"),
        Index("ix_takedown_operation_country", "operation", "country"),
    )


class SpeciesRow(Base):
    """A taxon of the CITES species index, with its appendix (`I`, `II`, `III`, `I/II`, `NC`...)."""

    __tablename__ = "species"

    taxon_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200))
    rank: Mapped[str] = mapped_column(String(16))
    kingdom: Mapped[str] = mapped_column(String(32))
    klass: Mapped[str] = mapped_column("class", String(64))
    family: Mapped[str] = mapped_column(String(64))
    genus: Mapped[str] = mapped_column(String(64))
    listing: Mapped[str] = mapped_column(String(16))


class SpeciesNameRow(Base):
    """A name a taxon goes by (accepted, synonym, English, Spanish, French), keyed for lookup."""

    __tablename__ = "species_name"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    taxon_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))


class StoreFactRow(Base):
    """A fact about the store as a whole, by key: e.g. `demo`, whether the demo world finished
    loading, so a set-up that stopped half-way is never served as if it were complete."""

    __tablename__ = "store_fact"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict[str, str | int]] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class CitesTradeRow(Base):
    """One line of the CITES Trade Database's comparative tabulation: legal trade in a taxon
    between two countries in a year, as the importer and the exporter each reported it. Public
    reference data, like the species index: every user may read it."""

    __tablename__ = "cites_trade"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    year: Mapped[int] = mapped_column(Integer)
    appendix: Mapped[str] = mapped_column(String(4))
    taxon_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    taxon: Mapped[str] = mapped_column(String(200))
    importer: Mapped[str] = mapped_column(String(2))
    exporter: Mapped[str] = mapped_column(String(2))
    origin: Mapped[str] = mapped_column(String(2))
    importer_quantity: Mapped[float | None] = mapped_column(Float, nullable=True)
    exporter_quantity: Mapped[float | None] = mapped_column(Float, nullable=True)
    term: Mapped[str] = mapped_column(String(64))
    unit: Mapped[str] = mapped_column(String(16))
    purpose: Mapped[str] = mapped_column(String(2))
    source: Mapped[str] = mapped_column(String(2))

    __table_args__ = (Index("ix_cites_trade_taxon_year", "taxon_id", "year"),)


class SeizureRow(Base):
    """A wildlife seizure's facts beside its record (an FtM Event of the same dataset and id),
    whose envelope decides who may count it. Trends group these rows; routes their legs."""

    __tablename__ = "seizure"

    dataset: Mapped[str] = mapped_column(String(64), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    day: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    year: Mapped[int] = mapped_column(Integer)
    country: Mapped[str] = mapped_column(String(2))
    location: Mapped[str] = mapped_column(Text)
    taxon_id: Mapped[int] = mapped_column(Integer)
    species: Mapped[str] = mapped_column(String(200))
    commodity: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[float | None] = mapped_column(Float, nullable=True)
    unit: Mapped[str] = mapped_column(String(16))
    weight_kg: Mapped[float | None] = mapped_column(Float, nullable=True)
    individuals: Mapped[float | None] = mapped_column(Float, nullable=True)
    concealment: Mapped[str] = mapped_column(Text)
    route: Mapped[list[str]] = mapped_column(JSON)
    import_run: Mapped[int | None] = mapped_column(Integer, nullable=True)

    __table_args__ = (
        Index("ix_seizure_year", "year"),
        Index("ix_seizure_taxon_year", "taxon_id", "year"),
        Index("ix_seizure_country_year", "country", "year"),
    )


class SeizureLegRow(Base):
    """One leg of a seizure's route, from one country to the next."""

    __tablename__ = "seizure_leg"

    dataset: Mapped[str] = mapped_column(String(64), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(2))
    target: Mapped[str] = mapped_column(String(2))
    import_run: Mapped[int | None] = mapped_column(Integer, nullable=True)

    __table_args__ = (Index("ix_seizure_leg_countries", "source", "target"),)


class TraffickingCaseRow(Base):
    """A trafficking case's facts beside its record (a CourtCase or Event of the same dataset and
    id), whose envelope decides who may count it. Statistics group these rows."""

    __tablename__ = "trafficking_case"

    dataset: Mapped[str] = mapped_column(String(64), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str] = mapped_column(String(16))
    victims: Mapped[int] = mapped_column(Integer)
    minors: Mapped[int] = mapped_column(Integer)
    defendants: Mapped[int] = mapped_column(Integer)
    import_run: Mapped[int | None] = mapped_column(Integer, nullable=True)


class TraffickingVictimRow(Base):
    """One victim and one type of exploitation they suffered, beside the victim's own record
    (RED by default): only those who may read the victim count them. Names no one."""

    __tablename__ = "trafficking_victim"

    dataset: Mapped[str] = mapped_column(String(64), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    exploitation: Mapped[str] = mapped_column(String(48), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(255))
    year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    country: Mapped[str] = mapped_column(String(2))
    gender: Mapped[str] = mapped_column(String(32))
    age_band: Mapped[str] = mapped_column(String(8))
    import_run: Mapped[int | None] = mapped_column(Integer, nullable=True)


class IndicatorScreeningRow(Base):
    """A first responder's trafficking-indicator screening: what was seen, where, and the advice.

    The form's one-time token makes a second submission of the same form a refusal, not a copy.
    No one screened is named.
    """

    __tablename__ = "indicator_screening"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    form_token: Mapped[str] = mapped_column(String(64), unique=True)
    agency: Mapped[str] = mapped_column(ForeignKey("agency.code"))
    actor: Mapped[str] = mapped_column(String(64))
    setting: Mapped[str] = mapped_column(String(32))
    country: Mapped[str] = mapped_column(String(2))
    language: Mapped[str] = mapped_column(String(8))
    observed: Mapped[list[str]] = mapped_column(JSON)
    advice: Mapped[str] = mapped_column(String(16))
    reasons: Mapped[list[str]] = mapped_column(JSON)
    notes: Mapped[str] = mapped_column(Text)
    created: Mapped[dt.datetime] = mapped_column(UtcDateTime())

    __table_args__ = (Index("ix_indicator_screening_agency", "agency", "created"),)


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
    decided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())

    __table_args__ = (
        Index("ix_match_pair_status", "status"),
        Index("ix_match_pair_left_dataset", "left_dataset"),
        Index("ix_match_pair_right_dataset", "right_dataset"),
    )


class UserRow(Base):
    """A person who uses Liaison for one agency. The password, if any, is kept only as a scrypt hash."""

    __tablename__ = "app_user"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    agency: Mapped[str] = mapped_column(ForeignKey("agency.code"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class TokenRow(Base):
    """A token: its public id, the SHA-256 of its secret, scopes, expiry and revocation.

    `kind` tells an API token an admin made (`api`) from a web login's (`session`): both are
    checked alike, but an admin reviews them apart.
    """

    __tablename__ = "api_token"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user: Mapped[str] = mapped_column(ForeignKey("app_user.name"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list[str]] = mapped_column(JSON)
    kind: Mapped[str] = mapped_column(String(16), default="api", server_default="api")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class LoginAttemptRow(Base):
    """A password check under way (`failed` false) or failed, kept while the login throttle counts it.

    The throttle counts these per account and per client address, in the store so that every
    server process counts the same attempts. `user` is the name tried, known or not; a success
    deletes that account's rows, and rows older than the throttle's window are pruned.
    """

    __tablename__ = "login_attempt"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), index=True)
    failed: Mapped[bool] = mapped_column(Boolean, default=False)


class SharingGroupRow(Base):
    """A sharing group (as MISP has): agencies that releasability can name together."""

    __tablename__ = "sharing_group"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    description: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class PeerRow(Base):
    """A node this node is peered with, from the descriptor its admin handed ours."""

    __tablename__ = "peer"

    name: Mapped[str] = mapped_column(String(63), primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    public_key: Mapped[str] = mapped_column(String(64), unique=True)
    added_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    added_by: Mapped[str] = mapped_column(String(64))
    synced_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), default=None)
    """When this node last pulled from the peer, whether it succeeded or not."""
    received: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    withdrawn: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    error: Mapped[str | None] = mapped_column(Text, default=None)
    """Why the last pull failed; None when it succeeded."""


class PeerNonceRow(Base):
    """A signed request's nonce, kept while its time is in the window, so a replay is refused."""

    __tablename__ = "peer_nonce"

    peer: Mapped[str] = mapped_column(String(63), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), index=True)


class GroupMemberRow(Base):
    """An agency's membership of a sharing group."""

    __tablename__ = "group_member"

    group: Mapped[str] = mapped_column(ForeignKey("sharing_group.name"), primary_key=True)
    agency: Mapped[str] = mapped_column(ForeignKey("agency.code"), primary_key=True, index=True)


class AuditEventRow(Base):
    """One audit event, chained: `hash` covers the event and the previous event's hash."""

    __tablename__ = "audit_event"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(64), index=True)
    agency: Mapped[str | None] = mapped_column(String(32), nullable=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    subject: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(Text)
    detail: Mapped[dict[str, object]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    # An owner agency asks who read one of its records: events by subject, without a scan.
    __table_args__ = (Index("ix_audit_event_subject", "subject"),)


class AuditHeadRow(Base):
    """The chain's head: the last event's number and, when the chain is keyed, a seal over it and
    the last event's hash (`access.audit`); locked while an event is appended."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


class HitReferenceRow(Base):
    """A hit/no-hit reference: a seeker's search, match or screening hit a record they may not read.

    One row per seeker and record (`hits` counts repeats), so an owner is told once per seeker,
    not once per query. `ref` is what the seeker holds: opaque, it names neither dataset nor id.
    """

    __tablename__ = "hit_reference"

    ref: Mapped[str] = mapped_column(String(32), primary_key=True)
    dataset: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(255))
    owner_agency: Mapped[str] = mapped_column(String(32), index=True)
    seeker: Mapped[str] = mapped_column(String(64))
    seeker_agency: Mapped[str] = mapped_column(String(32))
    via: Mapped[str] = mapped_column(String(16))
    score: Mapped[float] = mapped_column(Float)
    hits: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    last_hit_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())

    __table_args__ = (
        UniqueConstraint("seeker", "dataset", "entity_id", name="uq_hit_reference_seeker_record"),
    )


class AccessRequestRow(Base):
    """A seeker's request to read a record they hit, and the owner's grant or refusal.

    A grant's `release_entry` is added to the record's releasability, and again after every
    re-import of its dataset, so a grant outlives the owner's next import.
    """

    __tablename__ = "access_request"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    ref: Mapped[str] = mapped_column(ForeignKey("hit_reference.ref"))
    dataset: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(255))
    owner_agency: Mapped[str] = mapped_column(String(32), index=True)
    requester: Mapped[str] = mapped_column(String(64), index=True)
    requester_agency: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    release_entry: Mapped[str | None] = mapped_column(String(128), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    note: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_access_request_dataset_status", "dataset", "status"),)


class AlertRow(Base):
    """An alert to an agency (all its users) or to one user; ids grow, so a stream resumes after one."""

    __tablename__ = "alert"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agency: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    user: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    kind: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(Text)
    detail: Mapped[dict[str, object]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class ThreadRow(Base):
    """A message thread between agencies, under its opening message's TLP code. A RED thread (its
    subject too) reaches only its creator and `to_users` (`|a|b|`), not its agencies' other users."""

    __tablename__ = "message_thread"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    subject: Mapped[str] = mapped_column(String(300))
    created_by: Mapped[str] = mapped_column(String(64))
    handling: Mapped[str] = mapped_column(String(16), default="AMBER", server_default="AMBER")
    to_users: Mapped[str] = mapped_column(Text, default="|", server_default="|")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class ThreadParticipantRow(Base):
    """An agency taking part in a thread: its users read the thread's messages."""

    __tablename__ = "thread_participant"

    thread: Mapped[str] = mapped_column(ForeignKey("message_thread.id"), primary_key=True)
    agency: Mapped[str] = mapped_column(ForeignKey("agency.code"), primary_key=True, index=True)


class MessageRow(Base):
    """A message in a thread. RED messages reach only their sender and `to_users` (`|a|b|`)."""

    __tablename__ = "message"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    thread: Mapped[str] = mapped_column(ForeignKey("message_thread.id"), index=True)
    sender: Mapped[str] = mapped_column(String(64))
    sender_agency: Mapped[str] = mapped_column(String(32))
    priority: Mapped[str] = mapped_column(String(16))
    handling: Mapped[str] = mapped_column(String(16))
    to_users: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    entity_refs: Mapped[list[str]] = mapped_column(JSON)
    reply_to: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class ReceiptRow(Base):
    """That a user read a message, and when."""

    __tablename__ = "message_receipt"

    message: Mapped[str] = mapped_column(ForeignKey("message.id"), primary_key=True)
    user: Mapped[str] = mapped_column(String(64), primary_key=True)
    read_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class NoticeRow(Base):
    """A notice (INTERPOL's colours, the UN special notice) or a diffusion, with its review state."""

    __tablename__ = "notice"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True)
    agency: Mapped[str] = mapped_column(ForeignKey("agency.code"))
    created_by: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text)
    subject: Mapped[dict[str, object]] = mapped_column(JSON)
    recipients: Mapped[list[str]] = mapped_column(JSON)
    reviewed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    review_note: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class WatchRow(Base):
    """A user's watch: an FtM query example that new or changed records are matched against."""

    __tablename__ = "watch"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user: Mapped[str] = mapped_column(ForeignKey("app_user.name"), index=True)
    label: Mapped[str] = mapped_column(String(300))
    query: Mapped[dict[str, object]] = mapped_column(JSON)
    threshold: Mapped[float] = mapped_column(Float)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class WebhookRow(Base):
    """Where a user's alerts are also posted, signed with HMAC-SHA256 under its secret.

    Signing needs the secret itself, so it is sealed rather than hashed: `secret` holds it
    encrypted under a key kept outside the database (liaison.access.sealing), bound to the row's id.
    """

    __tablename__ = "webhook"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user: Mapped[str] = mapped_column(ForeignKey("app_user.name"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class DeliveryRow(Base):
    """One alert to post to one webhook, made with the alert so it is never lost; retried until done."""

    __tablename__ = "webhook_delivery"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    webhook: Mapped[str] = mapped_column(ForeignKey("webhook.id"))
    alert: Mapped[int] = mapped_column(ForeignKey("alert.id"))
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    last_error: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_webhook_delivery_due", "delivered_at", "next_attempt_at"),)


class OperationRow(Base):
    """A coordinated operation: its plan, its coordinating agency, and whether it is closed."""

    __tablename__ = "operation"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    area: Mapped[str] = mapped_column(String(16))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    agency: Mapped[str] = mapped_column(ForeignKey("agency.code"))
    created_by: Mapped[str] = mapped_column(String(64))
    agencies: Mapped[list[str]] = mapped_column(JSON)
    countries: Mapped[list[str]] = mapped_column(JSON)
    objectives: Mapped[str] = mapped_column(Text)
    watchlists: Mapped[list[str]] = mapped_column(JSON)
    checkpoints: Mapped[list[dict[str, object]]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    closed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class FieldResultRow(Base):
    """One field result of an operation: a count of one kind, on a day, in a country and checkpoint.

    `detail` holds the seizure and the note; for victims it is RED to the filing agency.
    """

    __tablename__ = "field_result"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    operation: Mapped[str] = mapped_column(ForeignKey("operation.id"))
    kind: Mapped[str] = mapped_column(String(32))
    count: Mapped[int] = mapped_column(Integer)
    country: Mapped[str] = mapped_column(String(2))
    day: Mapped[dt.date] = mapped_column(Date)
    checkpoint: Mapped[str | None] = mapped_column(String(16), nullable=True)
    agency: Mapped[str] = mapped_column(ForeignKey("agency.code"))
    filed_by: Mapped[str] = mapped_column(String(64))
    filed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    entities: Mapped[list[str]] = mapped_column(JSON)
    detail: Mapped[dict[str, object]] = mapped_column(JSON)
    handling: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(200))

    __table_args__ = (Index("ix_field_result_operation", "operation", "id"),)


class ManifestRow(Base):
    """A passenger manifest screened for an agency: the flight, its counts, and errors per passenger."""

    __tablename__ = "manifest"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    agency: Mapped[str] = mapped_column(ForeignKey("agency.code"), index=True)
    submitted_by: Mapped[str] = mapped_column(String(64))
    operation: Mapped[str | None] = mapped_column(ForeignKey("operation.id"), nullable=True)
    format: Mapped[str] = mapped_column(String(8))
    source: Mapped[str] = mapped_column(String(200))
    flight: Mapped[str] = mapped_column(String(16))
    departure: Mapped[str] = mapped_column(String(8))
    arrival: Mapped[str] = mapped_column(String(8))
    departs_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    counts: Mapped[dict[str, int]] = mapped_column(JSON)
    errors: Mapped[list[dict[str, object]]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class PassengerRow(Base):
    """One screened passenger of a manifest: the query sent, the outcome, and its hits as shown."""

    __tablename__ = "manifest_passenger"

    manifest: Mapped[str] = mapped_column(ForeignKey("manifest.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    subject: Mapped[dict[str, object]] = mapped_column(JSON)
    subject_key: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16))
    hits: Mapped[list[dict[str, object]]] = mapped_column(JSON)


class DocumentReportRow(Base):
    """A travel document an agency reported lost, stolen or revoked: a match on it is a document hit."""

    __tablename__ = "document_report"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    country: Mapped[str] = mapped_column(String(2))
    number: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    agency: Mapped[str] = mapped_column(ForeignKey("agency.code"))
    reported_by: Mapped[str] = mapped_column(String(64))
    reported_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    note: Mapped[str] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("country", "number", name="uq_document_report"),)


class ReferralRow(Base):
    """A hit referred to an agency's border officers: open until a decision settles it."""

    __tablename__ = "referral"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agency: Mapped[str] = mapped_column(ForeignKey("agency.code"))
    manifest: Mapped[str | None] = mapped_column(ForeignKey("manifest.id"), nullable=True)
    position: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reason: Mapped[str] = mapped_column(String(32))
    subject: Mapped[dict[str, object]] = mapped_column(JSON)
    subject_key: Mapped[str] = mapped_column(String(64))
    hits: Mapped[list[dict[str, object]]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    settled_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)

    __table_args__ = (Index("ix_referral_queue", "agency", "status", "id"),)


class SubjectDecisionRow(Base):
    """An officer's decision on a screened subject against one listing: deny, refer or clear.

    The subject and listing fingerprints say whether a later screening meets the same data:
    a clear decision holds only while both are unchanged. A deny waits for a second officer.
    """

    __tablename__ = "subject_decision"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    agency: Mapped[str] = mapped_column(ForeignKey("agency.code"))
    subject_key: Mapped[str] = mapped_column(String(64))
    subject_hash: Mapped[str] = mapped_column(String(64))
    subject: Mapped[dict[str, object]] = mapped_column(JSON)
    listing: Mapped[str] = mapped_column(String(320))
    listing_hash: Mapped[str] = mapped_column(String(64))
    decision: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, object]] = mapped_column(JSON)
    referral: Mapped[int | None] = mapped_column(ForeignKey("referral.id"), nullable=True)
    decided_by: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    confirmed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)

    __table_args__ = (Index("ix_subject_decision_subject", "agency", "subject_key"),)
