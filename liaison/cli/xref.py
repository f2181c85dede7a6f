"""`liaison xref`, `liaison review …` and `liaison clusters`: the cross-reference and its review queue."""

from __future__ import annotations

import datetime as dt
import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import orjson
import typer
from rich.table import Table

from liaison.cli.support import caller, counting, engine, out, reported, settings

if TYPE_CHECKING:
    from liaison.matching.fellegi_sunter import FellegiSunter
    from liaison.store import MatchPair

__all__ = ["clusters", "review_app", "xref"]

review_app = typer.Typer(
    help="The xref review queue: candidate pairs and reviewers' decisions.", no_args_is_help=True
)


class Status(StrEnum):
    """Review states a pair can be listed by."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


def xref(
    dataset: Annotated[str, typer.Argument(help="Dataset to cross-reference.")],
    other: Annotated[
        str | None, typer.Argument(help="Second dataset to link with; without it, duplicates within DATASET.")
    ] = None,
    threshold: Annotated[
        float | None, typer.Option(min=0.0, max=1.0, help="Score at or above which a pair goes to review.")
    ] = None,
    candidates: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=1_000,
            # The numbers are matching.xref's XREF_CANDIDATES and XREF_LEARN_CANDIDATES, written out
            # so that help does not load the matching engine; a test keeps them the same.
            help="Candidates scored per record of the querying dataset [default: 5, 10 with --learn].",
            show_default=False,
        ),
    ] = None,
    learn: Annotated[
        bool,
        typer.Option(
            "--learn",
            help="Fit Fellegi-Sunter weights to this run's candidate pairs by EM, not the shipped ones.",
        ),
    ] = False,
) -> None:
    """Find duplicates within a dataset, or links between two, and queue them for review.

    Re-running never undoes a decision: confirmed and dismissed pairs keep their status, and a
    dismissed pair comes back only when the data of one of its entities has changed. `--learn`
    suits two record systems of one country (addresses, birth dates and ids all given); the
    shipped weights suit watchlists, where names carry the evidence.

    Example: liaison xref un_sc uk --threshold 0.8
    """
    from liaison.services.screening import xref as xref_service

    with reported():
        config = settings()
        opened = engine()
        with counting("read and index") as progress:
            work = xref_service.prepare(opened, caller(), dataset, other, progress)
        with counting(f"xref {' x '.join(work.datasets)}", "records") as progress:
            result = xref_service.run(
                opened,
                work,
                threshold=config.match_threshold if threshold is None else threshold,
                candidates=candidates,
                now=dt.datetime.now(dt.UTC),
                learn=learn,
                progress=progress,
                actor=caller(),
            )
        if result.learned is not None:
            out.print(_learned_table(result.learned))
        saved = result.saved
        out.print(
            f"xref {' x '.join(result.datasets)}: {result.pairs:,} pairs at or above {result.threshold:.2f} "
            f"from {result.records:,} records; {saved.new:,} new, {saved.pending:,} still pending, "
            f"{saved.kept:,} decided and kept, {saved.reraised:,} re-raised, {saved.withdrawn:,} withdrawn"
        )


def _learned_table(model: FellegiSunter) -> Table:
    from liaison.matching.fellegi_sunter import COMPARISONS

    table = Table(title=f"learned weights (share of matches among candidates {model.prior:.3f})")
    table.add_column("comparison")
    table.add_column("level")
    table.add_column("m", justify="right")
    table.add_column("u", justify="right")
    table.add_column("weight (log2 m/u)", justify="right")
    for comparison in COMPARISONS:
        for level, label in enumerate(comparison.labels):
            table.add_row(
                comparison.name,
                label,
                f"{model.m[comparison.name][level]:.4f}",
                f"{model.u[comparison.name][level]:.4f}",
                f"{model.weight(comparison.name, level):+.2f}",
            )
    return table


def _side(dataset: str, entity_id: str, caption: str | None) -> dict[str, Any]:
    return {"dataset": dataset, "entity_id": entity_id, "caption": caption}


def _reraised(pair: MatchPair) -> bool:
    from liaison.store import PENDING

    # Only a dismissal that changed data sent back to the queue leaves a decider on a pending pair.
    return pair.status == PENDING and pair.decided_by is not None


def pair_json(pair: MatchPair) -> dict[str, Any]:
    """A pair as `liaison review list --json` prints it, one object per line."""
    return {
        "pair_id": pair.pair_id,
        "status": pair.status,
        "score": round(pair.score, 4),
        "left": _side(pair.left_dataset, pair.left_id, pair.left_caption),
        "right": _side(pair.right_dataset, pair.right_id, pair.right_caption),
        "features": pair.features,
        "decided_by": pair.decided_by,
        "decided_at": pair.decided_at.isoformat() if pair.decided_at else None,
        "reraised": _reraised(pair),
    }


def _why(pair: MatchPair) -> str:
    contributions = {name: float(feature["contribution"]) for name, feature in pair.features.items()}
    top = sorted(contributions.items(), key=lambda item: -abs(item[1]))[:3]
    return "\n".join(f"{name} {value:+.1f}" for name, value in top)


def _write_lines(rows: list[dict[str, Any]]) -> None:
    sys.stdout.write("".join(orjson.dumps(row).decode() + "\n" for row in rows))


@review_app.command("list")
def review_list(
    status: Annotated[Status, typer.Option(help="Which pairs to list.")] = Status.PENDING,
    dataset: Annotated[str | None, typer.Option(help="Only pairs with an entity in this dataset.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="Pairs at most, best score first.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines, one pair per line.")] = False,
) -> None:
    """List pairs in the review queue side by side, best score first, with the features that decided them.

    Example: liaison review list --status pending --dataset un_sc
    """
    from liaison.services.screening import xref as xref_service

    with reported():
        pairs = xref_service.review(engine(), status.value, dataset, limit, caller())
        if as_json:
            _write_lines([pair_json(pair) for pair in pairs])
            return
        table = Table(title=f"{status.value} pairs")
        # The id is what a reviewer copies into `review confirm`: never wrapped or cut.
        table.add_column("pair", no_wrap=True, min_width=23)
        table.add_column("left", overflow="fold")
        table.add_column("right", overflow="fold")
        table.add_column("score")
        table.add_column("why", overflow="fold")
        for pair in pairs:
            decided = ""
            if _reraised(pair):
                decided = f"\n[dim]re-raised, was dismissed by {pair.decided_by}"
            elif pair.decided_by is not None:
                decided = f"\n[dim]{pair.status} by {pair.decided_by}"
            table.add_row(
                pair.pair_id,
                f"{pair.left_caption or '(deleted)'}\n[dim]{pair.left_dataset} · {pair.left_id}",
                f"{pair.right_caption or '(deleted)'}\n[dim]{pair.right_dataset} · {pair.right_id}",
                f"{pair.score:.2f}{decided}",
                _why(pair),
            )
        out.print(table)


PairArgument = Annotated[str, typer.Argument(help="Pair id, as `liaison review list` shows it.")]
ByOption = Annotated[
    str | None, typer.Option("--by", help="Who decides, for the record; the acting user by default.")
]


@review_app.command("confirm")
def review_confirm(pair_id: PairArgument, by: ByOption = None) -> None:
    """Confirm a pair: both entities are the same. Refused if it joins a pair someone dismissed.

    Example: liaison review confirm xp-0f3c9a1b2d4e5f607182
    """
    from liaison.services.screening import xref as xref_service

    with reported():
        actor = caller()
        pair = xref_service.confirm(engine(), pair_id, by or actor.actor, dt.datetime.now(dt.UTC), actor)
        out.print(f"confirmed {pair.pair_id}: {pair.left_caption} = {pair.right_caption}", highlight=False)


@review_app.command("dismiss")
def review_dismiss(pair_id: PairArgument, by: ByOption = None) -> None:
    """Dismiss a pair: the entities differ and are never put together, unless their data changes.

    Example: liaison review dismiss xp-0f3c9a1b2d4e5f607182
    """
    from liaison.services.screening import xref as xref_service

    with reported():
        actor = caller()
        pair = xref_service.dismiss(engine(), pair_id, by or actor.actor, dt.datetime.now(dt.UTC), actor)
        out.print(f"dismissed {pair.pair_id}: {pair.left_caption} ≠ {pair.right_caption}", highlight=False)


def clusters(
    dataset: Annotated[str, typer.Option(help="Dataset whose clusters to list.")],
    accept_above: Annotated[
        float | None,
        typer.Option(min=0.0, max=1.0, help="Also join pending pairs scoring at least this much."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines, one cluster per line.")] = False,
) -> None:
    """List the clusters of a dataset's entities that reviewers confirmed, each with its canonical id.

    A cluster keeps its canonical id as it grows, and may span datasets.

    Example: liaison clusters --dataset un_sc --json
    """
    from liaison.services.screening import xref as xref_service

    with reported():
        found = xref_service.clusters(engine(), dataset, accept_above, caller())
        if as_json:
            _write_lines(
                [
                    {
                        "canonical_id": cluster.canonical_id,
                        "members": [_side(m.dataset, m.entity_id, m.caption) for m in cluster.members],
                    }
                    for cluster in found
                ]
            )
            return
        table = Table("cluster", "dataset", "entity", "caption", title=f"clusters of {dataset}")
        for cluster in found:
            for number, member in enumerate(cluster.members):
                table.add_row(
                    cluster.canonical_id if number == 0 else "",
                    member.dataset,
                    member.entity_id,
                    member.caption or "(deleted)",
                    end_section=number == len(cluster.members) - 1,
                )
        out.print(table)
