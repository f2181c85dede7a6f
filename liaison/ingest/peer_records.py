"""Reading the records a peer sends: each checked before anything of the page is applied.

A peer sends the records its own agencies own, under their owner's envelope, released to
agencies this node hosts. Anything else (an agency it does not host, RED, a release naming an
agency not hosted here, a schema FollowTheMoney does not know) refuses the whole sync, naming
the record and the field.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from liaison.errors import BadInput
from liaison.ingest.base import Record
from liaison.model import Envelope, Handling

__all__ = ["Incoming", "read_page"]

_DATASET = re.compile(r"[A-Za-z0-9_.-]{1,64}")


@dataclass(frozen=True, slots=True)
class Incoming:
    """One record from a peer: its envelope here, its dataset's title, the record."""

    envelope: Envelope
    title: str
    record: Record


def read_page(
    items: object, peer: str, theirs: Collection[str], ours: Collection[str], first: int
) -> list[Incoming]:
    """The records of one page from `peer`, which hosts the agencies `theirs`; releasability may
    name only agencies in `ours`. `first` numbers the page's first record in the whole sync."""
    from followthemoney import model
    from followthemoney.exc import InvalidData

    if not isinstance(items, list):
        raise BadInput(f"peer {peer}: field 'records': a list")
    read = []
    for number, item in enumerate(items, start=first):
        where = f"peer {peer}, record {number}"
        if not isinstance(item, dict):
            raise BadInput(f"{where}: an object with dataset, owner_agency, handling and entity")
        owner = _text(item, "owner_agency", where)
        if owner not in theirs:
            raise BadInput(f"{where}: field 'owner_agency': {owner[:40]!r} is not an agency {peer} hosts")
        dataset = _text(item, "dataset", where)
        # Any name its node gave it; one this node's agencies hold or whose namespace it lies
        # in refuses the pull when it is written (`store.claim_dataset`).
        if not _DATASET.fullmatch(dataset):
            raise BadInput(f"{where}: field 'dataset': {dataset[:70]!r} is not a dataset name")
        try:
            handling = Handling.parse(_text(item, "handling", where))
        except ValueError as exc:
            raise BadInput(f"{where}: field 'handling': {exc}") from None
        if handling is Handling.RED:
            raise BadInput(f"{where}: field 'handling': RED never leaves its node")
        release = item.get("releasability")
        if not isinstance(release, list) or not all(
            isinstance(entry, str) and entry.startswith("agency:") and entry[7:] in ours for entry in release
        ):
            raise BadInput(f"{where}: field 'releasability': only agencies this node hosts, as agency:CODE")
        try:
            review = dt.date.fromisoformat(_text(item, "review", where))
        except ValueError:
            raise BadInput(f"{where}: field 'review': not an ISO date") from None
        entity = item.get("entity")
        if not isinstance(entity, dict) or not isinstance(entity.get("id"), str):
            raise BadInput(f"{where}: field 'entity': an FtM entity with an id")
        if model.get(str(entity.get("schema"))) is None:
            raise BadInput(
                f"{where}: field 'entity.schema': {str(entity.get('schema'))[:40]!r} is not an FtM schema"
            )
        try:
            proxy = model.get_proxy({**entity, "datasets": [dataset]}, cleaned=False)
        except InvalidData as exc:
            raise BadInput(f"{where}: field 'entity': {exc}") from None
        purpose = str(item.get("purpose") or "")[:500]
        envelope = Envelope(owner, dataset, handling, purpose, review, tuple(release))
        title = str(item.get("title") or dataset)[:255]
        read.append(Incoming(envelope, title, Record(proxy, f"{number}")))
    return read


def _text(item: dict[str, Any], field: str, where: str) -> str:
    value = item.get(field)
    if not isinstance(value, str) or not value or len(value) > 255:
        raise BadInput(f"{where}: field {field!r}: 1 to 255 characters")
    return value
