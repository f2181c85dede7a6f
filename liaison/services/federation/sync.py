"""Sync between peers: what this node sends a peer that asks, and pulling what a peer sends.

A peer pulls page by page, each request signed by it and each answer signed by us. What goes is
decided here, record by record, by the one access decision for the agencies the peer hosts
(`peers.receivers`); a copy's releasability names only those of them that may read it, so the
peer's own rules cannot widen it. The puller applies the whole pull in one transaction: the
records sent are written as read-only copies owned by the peer's agencies, and every copy it held
from that peer and was not sent again is withdrawn. Both sides audit the exchange.

Each pull is whole (every releasable record, in pages); the change feed's cursors come next.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import orjson
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison.access import Action, Kind, RecordFacts
from liaison.access.decision import decider
from liaison.access.node_requests import (
    NONCE,
    SIGNATURE,
    WINDOW,
    check_response,
    read_request,
    sign_request,
    sign_response,
    verify_request,
)
from liaison.errors import BadInput, LiaisonError, Unauthenticated, Unavailable
from liaison.ingest.peer_records import Incoming, read_page
from liaison.model import Handling, Identity, IdentityKind
from liaison.services.accounts import audit
from liaison.services.federation.nodes import node_key
from liaison.services.federation.peers import receivers, require_keeper
from liaison.services.sharing.imports import write_records
from liaison.services.sharing.landed import landed
from liaison.settings import Settings
from liaison.store import peers as peer_store
from liaison.store.retention import delete_record

__all__ = ["PAGE", "RECORDS_PATH", "Pulled", "authenticate", "outgoing", "pull", "signed_answer"]

RECORDS_PATH = "/federation/v1/records"
PAGE = 500
"""Records a page holds."""
MAX_RECORDS = 2_000_000
"""More than a pull may bring; a peer that sends more is flooding, and the pull is refused."""
TIMEOUT = 30.0
MAX_PAGE_BYTES = 64 * 1024 * 1024
"""More than a page of records takes; a longer answer is cut off and the pull refused, not read."""


def _as_peer(name: str) -> Identity:
    # The identity a peer's requests are audited as on this node.
    return Identity(IdentityKind.PEER, f"node:{name}")


def authenticate(
    engine: Engine,
    headers: Mapping[str, str],
    method: str,
    target: str,
    body: bytes,
    now: dt.datetime,
    *,
    to: str,
) -> str:
    """The name of the peer that signed this request for this node, `to`; Unauthenticated
    (audited) otherwise."""
    try:
        signed = read_request(headers)
        with Session(engine) as session, session.begin():
            peer = (
                peer_store.get_peer(session, signed.node)
                if peer_store.is_peer(session, signed.node)
                else None
            )
            if peer is None:
                raise Unauthenticated(
                    f"no peer {signed.node[:63]!r} here: its admin has not added this node's peer"
                )
            verify_request(signed, peer.descriptor.public_key, method, target, body, now, to=to)
            if not peer_store.note_nonce(session, signed.node, signed.nonce, now, 2 * WINDOW):
                raise Unauthenticated(f"header {NONCE}: this request was sent before (a replay)")
    except Unauthenticated as refused:
        with Session(engine) as session, session.begin():
            detail = {"reason": str(refused), "node": str(headers.get("Liaison-Node", ""))[:63]}
            audit.record(session, Identity.public(), "sync.refused", target[:200], now=now, detail=detail)
        raise
    return signed.node


def outgoing(engine: Engine, name: str, after: tuple[str, str], now: dt.datetime) -> dict[str, Any]:
    """The page of records for the peer `name` after (dataset, id), each released to those of
    its agencies that may read it and no others; audited with the policy's reasons."""
    with Session(engine) as session, session.begin():
        peer = peer_store.get_peer(session, name)
        identities = receivers(session, peer)
        page = peer_store.releasable_page(session, identities, after, PAGE)
        deciders = [(who.agency, decider(who, Action.READ, Kind.RECORD)) for who in identities]
        reasons: Counter[str] = Counter()
        records: list[dict[str, Any]] = []
        for stored, title in page:
            envelope = stored.envelope
            facts = RecordFacts.of(envelope.owner_agency, envelope.handling, envelope.releasability)
            decisions = [(agency, decide(facts)) for agency, decide in deciders]
            admitted = [agency for agency, decision in decisions if decision]
            reasons.update({next(decision.reason for _agency, decision in decisions if decision): 1})
            open_to_all = envelope.handling in (Handling.CLEAR, Handling.GREEN)
            records.append(
                {
                    "dataset": envelope.dataset,
                    "title": title,
                    "owner_agency": envelope.owner_agency,
                    "handling": envelope.handling.value,
                    "releasability": [] if open_to_all else [f"agency:{agency}" for agency in admitted],
                    "purpose": envelope.purpose,
                    "review": envelope.retention_review.isoformat(),
                    "entity": stored.proxy.to_dict(),
                }
            )
        detail = {"records": len(records), "after": list(after), "why": dict(reasons)}
        audit.record(session, _as_peer(name), "sync.send", f"peer:{name}", now=now, detail=detail)
    following = None
    if len(page) == PAGE:
        last = page[-1][0]
        following = [last.envelope.dataset, str(last.proxy.id)]
    return {"records": records, "next": following}


def signed_answer(settings: Settings, nonce: str, status: int, body: bytes) -> str:
    """This node's signature of its answer to the request of `nonce`."""
    return sign_response(node_key(settings), nonce, status, body)


@dataclass(frozen=True, slots=True)
class Pulled:
    """What a pull brought: records received and applied, and copies withdrawn."""

    peer: str
    received: int
    withdrawn: int


Transport = Callable[[str, dict[str, str]], httpx.Response]


def _get(url: str, headers: dict[str, str]) -> httpx.Response:
    # Read at most MAX_PAGE_BYTES: a peer's answer must not take this node's memory.
    with httpx.stream("GET", url, headers=headers, timeout=TIMEOUT, follow_redirects=False) as response:
        body = bytearray()
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > MAX_PAGE_BYTES:
                raise BadInput(f"the answer from {url[:200]} is longer than {MAX_PAGE_BYTES:,} bytes")
        kept = {
            name: response.headers[name] for name in (SIGNATURE, "content-type") if name in response.headers
        }
        return httpx.Response(response.status_code, headers=kept, content=bytes(body))


def pull(
    engine: Engine, actor: Identity, settings: Settings, name: str, now: dt.datetime, get: Transport = _get
) -> Pulled:
    """Pull every record the peer `name` releases to this node's agencies and apply it whole:
    copies written, those no longer sent withdrawn. A failure changes no record and is kept in
    the peer's sync status (`liaison sync status`)."""
    require_keeper(actor)
    try:
        with Session(engine) as session:
            peer = peer_store.get_peer(session, name)
            ours = {agency.code for agency in peer_store.agencies_hosted_by(session, None)}
        theirs = {agency.code for agency in peer.descriptor.agencies}
        incoming = _fetch(settings, peer.descriptor.url, peer.descriptor.public_key, name, theirs, ours, get)
        with Session(engine) as session, session.begin():
            runs, withdrawn = _apply(session, actor, name, incoming, now)
            peer_store.note_sync(session, name, now, len(incoming), withdrawn, None)
            detail = {"received": len(incoming), "writes": len(runs), "withdrawn": withdrawn}
            audit.record(session, actor, "sync.pull", f"peer:{name}", now=now, detail=detail)
    except LiaisonError as failed:
        with Session(engine) as session, session.begin():
            if peer_store.is_peer(session, name):
                peer_store.note_sync(session, name, now, 0, 0, str(failed))
                audit.record(
                    session, actor, "sync.pull", f"peer:{name}", now=now, detail={"error": str(failed)}
                )
        raise
    # After the commit, as an import: watches fire, and cleared subjects are checked again, on
    # what arrived from the peer.
    for dataset, run_id in runs:
        landed(engine, dataset, run_id, now)
    return Pulled(name, len(incoming), withdrawn)


def _fetch(
    settings: Settings, url: str, public_key: str, name: str, theirs: set[str], ours: set[str], get: Transport
) -> list[Incoming]:
    key, after = node_key(settings), ("", "")
    incoming: list[Incoming] = []
    while True:
        target = f"{RECORDS_PATH}?{urlencode({'after_dataset': after[0], 'after_id': after[1]})}"
        headers = sign_request(key, settings.node_name, "GET", target, b"", dt.datetime.now(dt.UTC), to=name)
        try:
            response = get(url + target, headers)
        except httpx.HTTPError as exc:
            raise Unavailable(f"peer {name} at {url} did not answer: {exc}") from None
        check_response(
            public_key,
            name,
            headers[NONCE],
            response.status_code,
            response.content,
            response.headers.get(SIGNATURE),
        )
        if response.status_code != 200:
            raise Unavailable(f"peer {name} refused the pull: {_problem(response)}")
        try:
            data = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            raise BadInput(f"peer {name}: its answer is not JSON") from None
        page = data.get("records")
        if isinstance(page, list) and len(page) > PAGE:
            raise BadInput(f"peer {name}: a page holds at most {PAGE} records, not {len(page):,}")
        incoming.extend(read_page(page, name, theirs, ours, len(incoming)))
        if len(incoming) > MAX_RECORDS:
            raise BadInput(f"peer {name}: more than {MAX_RECORDS:,} records; refused as a flood")
        following = data.get("next")
        if following is None:
            return incoming
        if not page:
            # A page is followed only when full: empty pages moving on would never end the pull.
            raise BadInput(f"peer {name}: field 'next' after a page without records")
        if not (
            isinstance(following, list) and len(following) == 2 and all(isinstance(v, str) for v in following)
        ):
            raise BadInput(f"peer {name}: field 'next': a dataset and an id, or null")
        if tuple(following) <= after:
            raise BadInput(f"peer {name}: field 'next' does not move forward")
        after = (following[0], following[1])


def _problem(response: httpx.Response) -> str:
    try:
        detail = orjson.loads(response.content).get("detail")
    except (orjson.JSONDecodeError, AttributeError):
        detail = None
    return f"HTTP {response.status_code}" + (f": {str(detail)[:300]}" if detail else "")


def _apply(
    session: Session, actor: Identity, name: str, incoming: list[Incoming], now: dt.datetime
) -> tuple[list[tuple[str, int]], int]:
    """Write the copies that are new or changed, withdraw those not sent; the (dataset, run) of
    each write, and how many were withdrawn. Unchanged copies are not written again: a whole pull
    would otherwise re-index them and alert every watch on them at each sync."""
    held = peer_store.copy_states(session, name)
    groups: dict[tuple[Any, ...], list[Incoming]] = {}
    for item in incoming:
        envelope, proxy = item.envelope, item.record.proxy
        state = peer_store.copy_state(
            proxy.schema.name,
            proxy.to_dict()["properties"],
            envelope.handling.value,
            envelope.releasability,
            envelope.purpose,
            envelope.retention_review,
        )
        if held.get((envelope.dataset, str(proxy.id))) != state:
            groups.setdefault((envelope, item.title), []).append(item)
    runs = []
    for (envelope, title), items in groups.items():
        result = write_records(
            session,
            (item.record for item in items),
            envelope=envelope,
            title=title,
            kind="sync",
            source=f"peer:{name}",
            now=now,
            identity=actor,
            action="sync",
            copy_of=name,
        )
        runs.append((result.dataset, result.run_id))
    sent = {(item.envelope.dataset, str(item.record.proxy.id)) for item in incoming}
    gone = sorted(set(held) - sent)
    for dataset, entity_id in gone:
        delete_record(session, dataset, entity_id)
    return runs, len(gone)
