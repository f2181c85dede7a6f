"""What every chapter of the demo story shares: the store, the seed, the story's clock and its cast.

The story acts only through the services, each step as the demo user who would take it, so
that what it leaves behind is what those users would have left: the same records, alerts and
audit events. The clock runs back from the moment the demo is loaded, so the story has
already happened when the first user logs in.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from followthemoney.proxy import EntityProxy
from sqlalchemy import Engine

from liaison.demo.build import demo_id
from liaison.demo.world import demo_datasets
from liaison.model import Identity
from liaison.services.accounts import access
from liaison.services.sharing import catalog
from liaison.settings import Settings

__all__ = ["Scene"]


@dataclass(slots=True)
class Scene:
    """The store the story is told in, its seed and the moment it ends."""

    engine: Engine
    settings: Settings
    seed: int
    now: dt.datetime
    _people: dict[str, Identity] = field(default_factory=dict)
    _world: dict[str, EntityProxy] = field(default_factory=dict)

    def rng(self, chapter: str) -> random.Random:
        """The chapter's own random stream: editing one chapter leaves the others' draws alone."""
        return random.Random(f"{self.seed}/story/{chapter}")

    def who(self, user: str) -> Identity:
        """A demo user's identity, as `--as USER` gives it."""
        if user not in self._people:
            self._people[user] = access.identity_of(self.engine, user)
        return self._people[user]

    def ago(self, *, days: float = 0, hours: float = 0, minutes: float = 0) -> dt.datetime:
        """A moment of the story, so long before it ends."""
        return self.now - dt.timedelta(days=days, hours=hours, minutes=minutes)

    def day(self, days_ago: int) -> dt.date:
        """A day of the story, so many days before it ends."""
        return (self.now - dt.timedelta(days=days_ago)).date()

    def entity(self, dataset: str, key: str) -> EntityProxy:
        """A demo world entity as the seed drew it (no read of the store: its values, not its record)."""
        if not self._world:
            for generated in demo_datasets(self.seed):
                for record in generated.records:
                    self._world[str(record.proxy.id)] = record.proxy
        return self._world[demo_id(dataset, key)]

    def has_dataset(self, identity: Identity, name: str) -> bool:
        """Whether a dataset the identity may know of exists: a chapter's import was made."""
        return any(summary.name == name for summary in catalog.datasets(self.engine, identity))
