"""The demo world's building blocks: a dataset with its envelope, and a builder of its entities.

Entity ids hash the dataset name and a readable local key, not the seed: the demo's entities keep
their ids whatever seed fills in their details, so reloading the demo replaces it rather than
adding a second copy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

from followthemoney.proxy import EntityProxy
from followthemoney.util import make_entity_id

from liaison.ingest.base import Record, add_value, make_entity
from liaison.model.handling import Handling

__all__ = ["DemoBuilder", "DemoDataset", "PropValue", "demo_id"]

# What a property argument may hold: a value, an entity (its id is used), or several of them.
Scalar: TypeAlias = str | int | float | EntityProxy | None
PropValue: TypeAlias = Scalar | Sequence[Scalar]


@dataclass(frozen=True, slots=True)
class DemoDataset:
    """One agency's demo dataset: its envelope fields and its entities as reader records.

    `releasability` entries look like `agency:NCB-ES`, `country:es` or `group:thb-taskforce`;
    it is empty for CLEAR and GREEN, whose audience the handling code already names.
    """

    name: str
    title: str
    owner: str
    handling: Handling
    releasability: tuple[str, ...]
    purpose: str
    records: tuple[Record, ...]


def demo_id(dataset: str, key: str) -> str:
    """The stable id of the demo entity `key` in `dataset`, for links across datasets."""
    entity_id = make_entity_id("liaison-demo", dataset, key)
    if entity_id is None:  # only when every part is empty, which no caller passes
        raise ValueError(f"cannot make an id from {dataset!r} and {key!r}")
    return entity_id


class DemoBuilder:
    """Collects one dataset's entities, cleaning every value strictly so a typo fails loudly."""

    def __init__(self, dataset: str, seed: int) -> None:
        self.dataset = dataset
        self.seed = seed
        self._records: list[Record] = []
        self._keys: set[str] = set()

    def add(self, schema: str, key: str, **props: PropValue) -> EntityProxy:
        """Create an entity with the id `demo_id(dataset, key)` and the given property values.

        Values are cleaned by their FtM type; an invalid one raises `BadInput` naming the
        dataset, the key and the property.
        """
        if key in self._keys:
            raise ValueError(f"{self.dataset}: entity key {key!r} used twice")
        self._keys.add(key)
        source = f"demo dataset {self.dataset}"
        where = f"demo:{self.seed}:{key}"
        proxy = make_entity(schema, source, where)
        proxy.id = demo_id(self.dataset, key)
        for prop, value in props.items():
            values = value if isinstance(value, list | tuple) else [value]
            for item in values:
                text = item.id if isinstance(item, EntityProxy) else item
                add_value(proxy, prop, text, source, where, strict=True)
        self._records.append(Record(proxy=proxy, where=where))
        return proxy

    @property
    def records(self) -> tuple[Record, ...]:
        """The entities added so far, in the order they were added."""
        return tuple(self._records)
