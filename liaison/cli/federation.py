"""`liaison node`, `peer` and `sync` commands: this node as its peers know it, its peers, and what
each would receive."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import orjson
import typer
from rich.table import Table
from typer.core import TyperGroup

from liaison.cli.support import caller, engine, err, out, reported, settings
from liaison.errors import LiaisonError, Unavailable

if TYPE_CHECKING:
    from typer import _click  # Typer's own copy of Click, whose types its groups take

__all__ = ["node_app", "peer_app", "sync_app"]

node_app = typer.Typer(help="This node as its peers know it.", no_args_is_help=True)
peer_app = typer.Typer(help="The nodes this node is peered with (the operator).", no_args_is_help=True)


class _PeerOrCommand(TyperGroup):
    """`liaison sync NAME` pulls from the peer NAME; `liaison sync preview|status` are commands."""

    def resolve_command(
        self, ctx: _click.Context, args: list[str]
    ) -> tuple[str | None, _click.Command | None, list[str]]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["pull", *args]
        return super().resolve_command(ctx, args)


sync_app = typer.Typer(
    cls=_PeerOrCommand,
    help="Pull from peers (`liaison sync [PEER]`), and what this node sends them (the operator).",
    invoke_without_command=True,
)


@sync_app.callback()
def sync_all(ctx: typer.Context) -> None:
    """Pull from every peer (or from one: `liaison sync PEER`).

    Example: liaison sync ncb-madrid
    """
    if ctx.invoked_subcommand is None:
        from liaison.services.federation import peers

        with reported():
            found = peers.list_peers(engine(), caller())
            if not found:
                out.print("no peers to pull from: add one with `liaison peer add DESCRIPTOR`")
            failed = 0
            for peer in found:
                # One peer down or refusing must not keep the others' changes from arriving.
                try:
                    _pull(peer.descriptor.name)
                except LiaisonError as exc:
                    failed += 1
                    err.print(f"error: {peer.descriptor.name}: {exc}", markup=False, highlight=False)
            if failed:
                raise Unavailable(
                    f"{failed} of {len(found)} peers could not be pulled; `liaison sync status` says why"
                )


def _pull(name: str) -> None:
    from liaison.services.federation import sync

    pulled = sync.pull(engine(), caller(), settings(), name, _now())
    out.print(f"{name}: {pulled.received:,} records received, {pulled.withdrawn:,} withdrawn")


@sync_app.command("pull", hidden=True)
def sync_pull(name: Annotated[str, typer.Argument(help="The peer's name.")]) -> None:
    """Pull from one peer: what it releases to this node's agencies, applied whole."""
    with reported():
        _pull(name)


@sync_app.command("status")
def sync_status(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Each peer's last pull: when, records received and withdrawn, and the error if it failed.

    Example: liaison sync status
    """
    from liaison.services.federation import peers

    with reported():
        found = peers.list_peers(engine(), caller())
        rows = [
            {
                "peer": peer.descriptor.name,
                "synced_at": peer.synced_at.isoformat() if peer.synced_at else None,
                "received": peer.received,
                "withdrawn": peer.withdrawn,
                "error": peer.error,
            }
            for peer in found
        ]
        if as_json:
            out.print_json(orjson.dumps(rows).decode())
            return
        table = Table("peer", "last pull", "received", "withdrawn", "error")
        for row in rows:
            table.add_row(
                str(row["peer"]),
                str(row["synced_at"] or "never"),
                f"{row['received']:,}",
                f"{row['withdrawn']:,}",
                str(row["error"] or "-"),
            )
        out.print(table)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@node_app.command("show")
def node_show() -> None:
    """Print this node's descriptor as JSON, for a peer's admin to add after comparing its fingerprint.

    Example: liaison node show > ncb-paris.json
    """
    from liaison.services.federation import nodes

    with reported():
        described = nodes.descriptor(engine(), settings())
        out.print_json(orjson.dumps(described.as_json()).decode())


@peer_app.command("add")
def peer_add(
    descriptor: Annotated[
        Path, typer.Argument(help="The peer's descriptor (from its `liaison node show`); - for stdin.")
    ],
) -> None:
    """Accept another node as a peer, with the agencies it hosts; compare the fingerprint printed
    with the one its admin reads you first.

    Example: liaison peer add ncb-madrid.json
    """
    from liaison.ingest.node_descriptor import read_descriptor
    from liaison.services.federation import nodes, peers

    with reported():
        opened = engine()
        added = peers.add(
            opened, caller(), read_descriptor(descriptor), nodes.descriptor(opened, settings()), _now()
        )
        hosted = ", ".join(agency.code for agency in added.descriptor.agencies) or "no agencies"
        out.print(f"peer {added.descriptor.name} added: {added.descriptor.url}, hosting {hosted}")
        out.print(f"fingerprint {added.descriptor.fingerprint}")


@peer_app.command("list")
def peer_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print the descriptors as JSON.")] = False,
) -> None:
    """List this node's peers with their URL, fingerprint and agencies.

    Example: liaison peer list
    """
    from liaison.services.federation import peers

    with reported():
        found = peers.list_peers(engine(), caller())
        if as_json:
            listed = [
                {
                    **peer.descriptor.as_json(),
                    "added_at": peer.added_at.isoformat(),
                    "added_by": peer.added_by,
                }
                for peer in found
            ]
            out.print_json(orjson.dumps(listed).decode())
            return
        table = Table("peer", "url", "fingerprint", "agencies", "added")
        for peer in found:
            described = peer.descriptor
            agencies = ", ".join(agency.code for agency in described.agencies) or "-"
            table.add_row(
                described.name,
                described.url,
                described.fingerprint,
                agencies,
                f"{peer.added_at:%Y-%m-%d} by {peer.added_by}",
            )
        out.print(table)


@peer_app.command("remove")
def peer_remove(name: Annotated[str, typer.Argument(help="The peer's name.")]) -> None:
    """Forget a peer and the agencies it hosts.

    Example: liaison peer remove ncb-madrid
    """
    from liaison.services.federation import peers

    with reported():
        withdrawn = peers.remove(engine(), caller(), name, _now())
        out.print(f"peer {name} removed, with the {withdrawn:,} copies held from it")


@sync_app.command("preview")
def sync_preview(
    name: Annotated[str, typer.Argument(help="The peer's name.")],
    ids: Annotated[bool, typer.Option("--ids", help="List the records' ids too.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """What the peer would receive now, decided here: counts by dataset and handling (a dry run).

    Example: liaison sync preview ncb-madrid --ids
    """
    from liaison.services.federation import peers

    with reported():
        found = peers.preview(engine(), caller(), name, _now(), ids=ids)
        if as_json:
            counts = [
                {"dataset": dataset, "handling": handling, "records": count}
                for (dataset, handling), count in sorted(found.counts.items())
            ]
            document = {
                "peer": name,
                "agencies": [who.agency for who in found.receivers],
                "records": found.total,
                "counts": counts,
            }
            if found.ids is not None:
                document["ids"] = [{"dataset": dataset, "id": entity_id} for dataset, entity_id in found.ids]
            out.print_json(orjson.dumps(document).decode())
            return
        table = Table("dataset", "handling", "records", title=f"{name} would receive {found.total:,} records")
        for (dataset, handling), count in sorted(found.counts.items()):
            table.add_row(dataset, handling, f"{count:,}")
        out.print(table)
        for dataset, entity_id in found.ids or ():
            out.print(f"{dataset}\t{entity_id}", markup=False, highlight=False)
