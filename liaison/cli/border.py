"""`liaison manifest`, `liaison document` and `liaison decision`: border screening from the console.

A manifest is screened against the lists in the store through the same matching engine as the
API; hits go to the agency's referral queue, where officers decide on them (four eyes on deny).
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import orjson
import typer
from rich.table import Table

from liaison.cli.support import caller, engine, err, out, purpose, reported, settings
from liaison.model.manifest import REPORTED_KINDS, REPORTED_STATUSES

if TYPE_CHECKING:
    from liaison.services.screening.matching_service import MatchingService

__all__ = ["decision_app", "document_app", "manifest_app"]

manifest_app = typer.Typer(
    help="Screen passenger manifests (CSV or UN/EDIFACT PAXLST).", no_args_is_help=True
)
document_app = typer.Typer(
    help="The register of lost, stolen and revoked travel documents.", no_args_is_help=True
)
decision_app = typer.Typer(
    help="Referred hits and the decisions on them: deny, refer, clear.", no_args_is_help=True
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _matching() -> MatchingService:
    from liaison.services.screening.matching_service import MatchingService

    config = settings()
    workers = config.match_workers or os.cpu_count() or 1
    service = MatchingService(engine(), candidates=config.match_candidates, workers=workers)
    with err.status("indexing the lists"):
        service.prepare()
    return service


@manifest_app.command("screen")
def manifest_screen(
    path: Annotated[Path, typer.Argument(help="The manifest: CSV or a PAXLST message.")],
    operation: Annotated[
        str | None,
        typer.Option(help="The operation it counts for; the running one of the flight's when left out."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="JSON: the manifest and each passenger's outcome.")
    ] = False,
) -> None:
    """Screen every passenger of a flight; hits go to your agency's border officers' queue.

    Example: liaison --as felix --purpose "API check UX1094" manifest screen ux1094.edi
    """
    from liaison.ingest.manifest import read_manifest
    from liaison.services.screening import manifests

    with reported():
        now = _now()
        manifest = read_manifest(path, now.date())
        screened = manifests.screen(
            engine(),
            _matching(),
            caller(),
            manifest,
            threshold=settings().match_threshold,
            purpose=purpose() or f"passenger manifest {manifest.flight.number or path.name}",
            now=now,
            operation=operation,
        )
        stored = screened.manifest
        if as_json:
            document = {
                "manifest": stored.manifest_id,
                "flight": stored.flight,
                "operation": stored.operation,
                "counts": stored.counts,
                "errors": stored.errors,
                "passengers": [
                    {
                        "position": passenger.position,
                        "name": passenger.name,
                        "status": outcome.status,
                        "hits": outcome.shown(),
                    }
                    for passenger, outcome in screened.outcomes
                ],
            }
            out.print(orjson.dumps(document).decode(), highlight=False, soft_wrap=True)
            return
        for error in stored.errors:
            out.print(
                f"{path}: {error['where']}: passenger {error['position']}: {error['problem']}",
                highlight=False,
            )
        table = Table(
            "#",
            "passenger",
            "status",
            "best hit",
            "score",
            title=f"flight {stored.flight} ({stored.manifest_id})",
        )
        for passenger, outcome in screened.outcomes:
            if not outcome.raised:
                continue
            best = next((hit for hit in outcome.hits if not hit["cleared"]), None)
            reported_document = next((hit for hit in outcome.documents if not hit["cleared"]), None)
            shown = (
                f"{reported_document['status']} document {reported_document['number']}"
                if reported_document
                else best["caption"]
                if best
                else f"{len(outcome.references)} reference(s)"
            )
            table.add_row(
                str(passenger.position),
                passenger.name,
                outcome.status,
                shown,
                f"{best['score']:.2f}" if best else "",
            )
        out.print(table)
        counts = stored.counts
        out.print(
            f"{counts['passengers']} screened: {counts['clear']} clear, "
            f"{counts['possible_match']} possible matches, {counts['document_hit']} document hits, "
            f"{counts['errors']} refused; {screened.referrals} referred"
            + (f"; counted in {screened.operation.plan.name}" if screened.operation else ""),
            highlight=False,
        )


@document_app.command("report")
def document_report(
    number: Annotated[str, typer.Argument(help="The document number.")],
    country: Annotated[str, typer.Option(help="Issuing country, ISO 3166.")],
    status: Annotated[str, typer.Option(help=", ".join(REPORTED_STATUSES))] = "stolen",
    kind: Annotated[str, typer.Option(help=", ".join(REPORTED_KINDS))] = "passport",
    note: Annotated[str, typer.Option(help="Where and when, the police report's reference.")] = "",
) -> None:
    """Report a travel document lost, stolen or revoked: any manifest carrying it becomes a document hit."""
    from liaison.services.screening import travel_documents

    with reported():
        made = travel_documents.report(
            engine(),
            caller(),
            country=country,
            number=number,
            kind=kind,
            status=status,
            note=note,
            now=_now(),
        )
        out.print(f"{made.kind} {made.country.upper()} {made.number} reported {made.status}", highlight=False)


@document_app.command("list")
def document_list(
    every: Annotated[bool, typer.Option("--all", help="Every agency's reports, not only yours.")] = False,
) -> None:
    """The latest reports in the register."""
    from liaison.services.screening import travel_documents

    with reported():
        found = travel_documents.list_reports(engine(), caller(), mine=not every)
        table = Table(
            "country", "number", "kind", "status", "agency", "reported", title=f"{len(found)} documents"
        )
        for report in found:
            table.add_row(
                report.country.upper(),
                report.number,
                report.kind,
                report.status,
                report.agency,
                f"{report.reported_at:%Y-%m-%d}",
            )
        out.print(table)


@decision_app.command("queue")
def decision_queue(
    settled: Annotated[
        bool, typer.Option("--settled", help="Settled referrals instead of open ones.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines.")] = False,
) -> None:
    """Your agency's referral queue: each hit waiting for an officer's decision."""
    from liaison.services.screening import entry_decisions

    with reported():
        found, total = entry_decisions.list_referrals(engine(), caller(), "settled" if settled else "open")
        if as_json:
            for referral in found:
                out.print(
                    orjson.dumps(entry_decisions.referral_view(referral)).decode(),
                    highlight=False,
                    soft_wrap=True,
                )
            return
        table = Table(
            "referral", "reason", "subject", "hits (listing: caption)", "since", title=f"{total} referrals"
        )
        for referral in found:
            names = ", ".join((referral.subject.get("properties") or {}).get("name", [])[:2])
            hits = "; ".join(
                f"{hit.get('listing') or hit.get('reference')}: "
                f"{hit.get('caption') or hit.get('status') or 'hidden'}"
                for hit in referral.hits
                if hit["type"] != "note"
            )
            table.add_row(
                str(referral.referral_id),
                referral.reason,
                names,
                hits,
                f"{referral.created_at:%Y-%m-%d %H:%M}",
            )
        out.print(table)


@decision_app.command("make")
def decision_make(
    referral: Annotated[int, typer.Argument(help="The referral.")],
    listing: Annotated[str, typer.Option(help="The hit decided on: its listing id, document or reference.")],
    decision: Annotated[str, typer.Option(help="deny, refer or clear.")],
    reason: Annotated[str, typer.Option(help="Why: required.")],
) -> None:
    """Decide on one hit of a referral; a deny waits for a second officer's confirmation."""
    from liaison.services.screening import entry_decisions

    with reported():
        made = entry_decisions.decide(engine(), caller(), referral, listing, decision, reason, _now())
        waiting = " (waiting for a second officer)" if made.status == "pending" else ""
        out.print(
            f"decision {made.decision_id}: {made.decision}{waiting}; legal basis: {made.legal_basis}",
            highlight=False,
        )


@decision_app.command("confirm")
def decision_confirm(decision: Annotated[str, typer.Argument(help="The pending deny.")]) -> None:
    """Confirm another officer's deny (four eyes)."""
    from liaison.services.screening import entry_decisions

    with reported():
        made = entry_decisions.confirm(engine(), caller(), decision, _now())
        out.print(f"decision {made.decision_id} confirmed by {made.confirmed_by}")


@decision_app.command("list")
def decision_list(
    decision: Annotated[str | None, typer.Option(help="Only deny, refer or clear.")] = None,
    as_csv: Annotated[
        bool, typer.Option("--csv", help="Export as CSV on standard output (audited).")
    ] = False,
) -> None:
    """Your agency's decisions, newest first."""
    from liaison.services.screening import entry_decisions

    with reported():
        found, total = entry_decisions.list_decisions(
            engine(), caller(), decision=decision, now=_now(), export=as_csv
        )
        if as_csv:
            csv.writer(sys.stdout).writerows(entry_decisions.export_rows(found))
            return
        columns = ("id", "decision", "status", "listing", "decided_by", "confirmed_by")
        views = [entry_decisions.view(found_decision) for found_decision in found]
        table = Table(*columns, title=f"{total} decisions")
        for view in views:
            table.add_row(*(str(view[column] or "") for column in columns))
        out.print(table)


@decision_app.command("recheck")
def decision_recheck() -> None:
    """Screen your agency's cleared subjects again: a new or changed listing refers them for review."""
    from liaison.services.screening import entry_decisions

    with reported():
        referred = entry_decisions.recheck(
            engine(), _matching(), caller(), threshold=settings().match_threshold, now=_now()
        )
        out.print(f"{referred} cleared subjects referred again for review")
