"""Loading the demo world: its agencies, the real UN and OFAC lists, and agencies' own records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison import ingest, store
from liaison.access.secrets import hash_password
from liaison.demo import story as demo_story
from liaison.demo.world import DEMO_PASSWORD, GROUPS, USERS, demo_agencies, demo_datasets
from liaison.model import AgencyKind, Envelope, Handling
from liaison.services.accounts import agencies
from liaison.services.sharing.imports import import_records
from liaison.services.sharing.reference_data import reference_file
from liaison.settings import Settings

__all__ = ["DEMO_PASSWORD", "PUBLIC_LISTS", "DemoLoaded", "DemoState", "load", "state"]

# (dataset, title, import kind, path under the reference data folder)
PUBLIC_LISTS = (
    (
        "un_sc",
        "UN Security Council consolidated list",
        "un-xml",
        "watchlists/un/un_consolidated_2026-02-27.xml",
    ),
    ("us_ofac_sdn", "US OFAC Specially Designated Nationals", "ofac", "watchlists/ofac_sdn_2024/sdn.csv"),
)


_FACT = "demo"


@dataclass(frozen=True, slots=True)
class DemoState:
    """The demo world in a store: `loaded` once its last step is done, with the seed it used."""

    loaded: bool
    seed: int
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class DemoLoaded:
    """How much of the demo world was loaded."""

    agencies: int
    datasets: int
    entities: int
    users: tuple[tuple[str, str, str], ...]
    """The demo's web users: name, agency and role; their password is DEMO_PASSWORD."""


def _groups(engine: Engine, now: dt.datetime) -> None:
    """The demo's sharing groups, created once and kept as they are on a reload."""
    with Session(engine) as session, session.begin():
        known = store.list_groups(session)
        for name, (description, members) in GROUPS.items():
            if name not in known:
                store.save_group(session, name, description, now)
            for agency in members:
                store.add_group_member(session, name, agency)


def _users(engine: Engine, now: dt.datetime) -> None:
    """The demo's web users, created once; a reload leaves them (and any password changed) as they are."""
    with Session(engine) as session, session.begin():
        known = {user.name for user in store.list_users(session)}
        for name, agency, role in USERS:
            if name not in known:
                store.save_user(session, name, agency, role, hash_password(DEMO_PASSWORD), now)


def state(engine: Engine) -> DemoState | None:
    """Whether this store holds the demo world, whole or half-loaded; None if it never began loading."""
    with Session(engine) as session:
        fact = store.get_fact(session, _FACT)
    if fact is None:
        return None
    return DemoState(fact["state"] == "loaded", int(fact["seed"]), dt.datetime.fromisoformat(str(fact["at"])))


def _mark(engine: Engine, loaded: bool, seed: int, now: dt.datetime) -> None:
    value: dict[str, str | int] = {
        "state": "loaded" if loaded else "loading",
        "seed": seed,
        "at": now.isoformat(),
    }
    with Session(engine) as session, session.begin():
        store.set_fact(session, _FACT, value, now)


def load(
    engine: Engine, settings: Settings, seed: int, progress: Callable[[int], None] | None = None
) -> DemoLoaded:
    """Load the demo world; loading it again updates it in place without duplicates.

    The store says "loading" until the last step is done, so a load that stopped half-way (an
    error, Ctrl-C) is never taken for a whole demo: `make run` loads it again, which resumes it,
    since every step updates in place.
    """
    now = dt.datetime.now(dt.UTC)
    lists = [
        (name, title, kind, reference_file(settings, relative))
        for name, title, kind, relative in PUBLIC_LISTS
    ]
    _mark(engine, False, seed, now)
    loaded = _fill(engine, settings, seed, now, lists, progress)
    demo_story.tell(engine, settings, seed, now)
    _mark(engine, True, seed, dt.datetime.now(dt.UTC))
    return loaded


def _fill(
    engine: Engine,
    settings: Settings,
    seed: int,
    now: dt.datetime,
    lists: list[tuple[str, str, str, Path]],
    progress: Callable[[int], None] | None,
) -> DemoLoaded:
    review = now.date().replace(year=now.year + settings.retention_years)
    members = demo_agencies()
    for agency in members:
        agencies.register(engine, agency)
    _groups(engine, now)
    _users(engine, now)
    secretariat = next(agency.code for agency in members if agency.kind is AgencyKind.SECRETARIAT)
    entities = 0
    for name, title, kind, path in lists:
        envelope = Envelope(secretariat, name, Handling.CLEAR, "sanctions screening", review)
        result = import_records(
            engine,
            ingest.read(kind, path),
            envelope=envelope,
            title=title,
            kind=kind,
            source=str(path),
            now=now,
            batch_size=settings.import_batch_size,
            progress=progress,
        )
        entities += result.records
    generated = demo_datasets(seed)
    for dataset in generated:
        envelope = Envelope(
            dataset.owner, dataset.name, dataset.handling, dataset.purpose, review, dataset.releasability
        )
        result = import_records(
            engine,
            dataset.records,
            envelope=envelope,
            title=dataset.title,
            kind="demo",
            source=f"demo:{seed}",
            now=now,
            batch_size=settings.import_batch_size,
            progress=progress,
        )
        entities += result.records
    users = tuple((name, agency, role.value) for name, agency, role in USERS)
    return DemoLoaded(len(members), len(PUBLIC_LISTS) + len(generated), entities, users)
