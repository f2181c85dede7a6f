"""`liaison correlate`: who else holds an IP, domain, URL, hash, e-mail, phone or wallet."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import typer

from liaison.cli.support import caller, engine, out, purpose, reported
from liaison.errors import BadInput

if TYPE_CHECKING:
    from liaison.services.cyber.correlation import Correlated

__all__ = ["correlate"]


def correlate(
    values: Annotated[
        list[str] | None, typer.Argument(help="Values; each read as the kind it plausibly is.")
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(help="Read every value as this kind: ip, domain, url, email, phone, hash, wallet."),
    ] = None,
    entity: Annotated[
        tuple[str, str] | None, typer.Option(help="Correlate a record's own values: DATASET ID.")
    ] = None,
) -> None:
    """Every record holding these values (IPs also find networks around them), within your access.

    Records you may not read are shown as hit/no-hit references. Example:
    liaison --as ana --purpose "case 2026/77" correlate 185.220.101.4 evil.example
    """
    from liaison.services.cyber import correlation

    with reported():
        now = dt.datetime.now(dt.UTC)
        if entity is not None:
            _stored, found = correlation.correlate_entity(
                engine(), caller(), entity[0], entity[1], purpose=purpose(), now=now
            )
        else:
            if not values:
                raise BadInput("give values to correlate, or --entity DATASET ID")
            observables = correlation.read_values([(kind, value) for value in values])
            found = correlation.correlate(engine(), caller(), observables, purpose=purpose(), now=now)
        for line in _lines(found):
            out.print(line, highlight=False, soft_wrap=True)


def _lines(found: list[Correlated]) -> list[str]:
    """One block per value: the records holding it, then references to those you may not read."""
    lines = []
    for item in found:
        lines.append(str(item.observable))
        if not item.records and not item.references:
            lines.append("  no other record")
        for held in item.records:
            proxy, envelope = held.entity.proxy, held.entity.envelope
            lines.append(
                f"  {proxy.caption} ({proxy.schema.name} {proxy.id}) in {envelope.dataset}, "
                f"{envelope.owner_agency}, {envelope.handling.value}; holds {', '.join(map(str, held.found))}"
            )
        for reference in item.references:
            lines.append(f"  hidden: reference {reference.ref}, owned by {reference.owner_agency}")
    return lines
