"""The demo's story: what the demo world's agencies have been doing when a user first logs in.

`tell` runs after the demo world is loaded and acts through the services, each step as the demo
user who would take it: a trafficking operation under way with checkpoints, field results and
takedowns (and a cyber operation beside it), notices published and a diffusion sent, an urgent
thread, watches with alerts waiting, xref pairs to review, real pangolin seizures against the
CITES species index, an HTCDS case file, a STIX bundle and a MISP event that correlate with a
forensic report, and a screened flight manifest with its referrals and decisions.

Everything is drawn from the seed, and the story's clock runs back from `now`. Each chapter
first looks for the record it begins with (the operation by name, the red notice by title, the
thread by subject, a dataset, the stolen passport) and is skipped when it is there, so loading
the demo again adds nothing. A chapter that stopped before its first record is told on the next
load; one that stopped after it is not finished then (the cross-references alone are always run
again, as re-running them keeps every pair and decision).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine

from liaison.demo.story_border import screen_flight
from liaison.demo.story_cases import import_cases
from liaison.demo.story_cooperation import open_thread, publish_notices, request_access, set_watches
from liaison.demo.story_cyber import import_intelligence
from liaison.demo.story_operations import plan_operations
from liaison.demo.story_scene import Scene
from liaison.demo.story_wildlife import import_wildlife
from liaison.services.screening import xref
from liaison.settings import Settings

__all__ = ["REVIEWED", "StoryTold", "tell"]

REVIEWED = (
    ("grace", "ncb_es_trafficking", "ncb_ua_trafficking"),
    ("grace", "cyb_nl_ransomware", "gs_public_notices"),
    ("grace", "wl_vn_wildlife", "cus_ng_wildlife_seizures"),
    ("felix", "bp_md_trafficking_crossings", "ncb_ua_trafficking"),
)
"""Who cross-references which datasets (both of which they may read), leaving the pairs pending
in the review queue of everyone who may read both sides."""


@dataclass(frozen=True, slots=True)
class StoryTold:
    """Which chapters were told by this load, and which had been told before."""

    told: tuple[str, ...]
    skipped: tuple[str, ...]


def queue_pairs(scene: Scene) -> bool:
    """grace and felix cross-reference the network's files and the notices; re-runs keep every pair."""
    new = 0
    for user, dataset, other in REVIEWED:
        work = xref.prepare(scene.engine, scene.who(user), dataset, other)
        done = xref.run(
            scene.engine,
            work,
            threshold=scene.settings.match_threshold,
            now=scene.ago(days=1),
            actor=scene.who(user),
        )
        new += done.saved.new
    return new > 0


CHAPTERS: tuple[tuple[str, Callable[[Scene], bool]], ...] = (
    ("watches", set_watches),
    ("notices", publish_notices),
    ("operations", plan_operations),
    ("messages", open_thread),
    ("review", queue_pairs),
    ("wildlife", import_wildlife),
    ("cases", import_cases),
    ("cyber", import_intelligence),
    ("border", screen_flight),
    ("access", request_access),
)
"""The chapters in the order they happen: watches before the imports that alert them, notices
before the operation that screens against them, the operation before the flight it counts."""


def tell(engine: Engine, settings: Settings, seed: int, now: dt.datetime) -> StoryTold:
    """Tell every chapter of the story not told yet, drawn from `seed`, ending at `now`."""
    scene = Scene(engine, settings, seed, now)
    told: list[str] = []
    skipped: list[str] = []
    for name, chapter in CHAPTERS:
        (told if chapter(scene) else skipped).append(name)
    return StoryTold(tuple(told), tuple(skipped))
