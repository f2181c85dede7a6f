"""The command line starts without the heavy libraries: what each command loads, not how fast.

Strategy: each check runs in a fresh interpreter (a test process has loaded everything already)
and reads back the modules it ended with: `import liaison.cli` (what `--help` costs), then the
light commands on a store holding one record. They must not load the engines only other commands
use; `show` builds FtM entities, so it alone of them loads FollowTheMoney. No timing is asserted.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from liaison.cli import _GROUPS, app
from liaison.matching.xref import XREF_CANDIDATES, XREF_LEARN_CANDIDATES
from tests.test_cli import Cli

REPO = Path(__file__).resolve().parents[1]

# What only some commands need: the STIX validator (with jsonschema's format checkers), STIX
# objects, PDF reports, graphs, spreadsheets, EDIFACT, the web server and its templates, the
# interface's translations (Babel), and the matching engine's arrays.
ENGINES = frozenset(
    {
        "stix2validator",
        "jsonschema",
        "stix2",
        "weasyprint",
        "networkx",
        "openpyxl",
        "pydifact",
        "fastapi",
        "uvicorn",
        "starlette",
        "jinja2",
        "babel",
        "numpy",
        "rapidfuzz",
    }
)
# What the commands that open the store still do without: Alembic (the migrations' own
# check reads the revision table directly) and, for those that only count, list or verify,
# FollowTheMoney's model.
UNUSED_BY_LIGHT_COMMANDS = ENGINES | {"alembic", "followthemoney"}
# FollowTheMoney, with the libraries it loads itself.
FTM = frozenset({"followthemoney", "babel", "jinja2"})
# Reading settings and the store, which no `--help` needs.
STORE = frozenset({"sqlalchemy", "pydantic_settings", "alembic", "followthemoney"})


def modules(code: str, env: dict[str, str] | None = None) -> set[str]:
    """The modules a fresh interpreter holds after running `code`, which must succeed."""
    record = (
        "import atexit, json, sys\n"
        "atexit.register(lambda: sys.__stderr__.write('\\nMODULES ' + json.dumps(sorted(sys.modules))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", record + code],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return set(json.loads(done.stderr.rpartition("\nMODULES ")[2]))


def loaded(code: str, env: dict[str, str] | None = None) -> set[str]:
    """The top-level packages a fresh interpreter holds after running `code`."""
    return {name.split(".")[0] for name in modules(code, env)}


def test_importing_the_cli_loads_no_engine_and_no_store() -> None:
    found = loaded("import liaison.cli")
    assert found & (ENGINES | STORE) == set()


@pytest.fixture(scope="module")
def store_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of a store holding one agency's one record, for the commands to read."""
    folder = tmp_path_factory.mktemp("cold")
    cli = Cli(f"sqlite:///{folder / 'liaison.db'}")
    cli("init")
    cli("agency", "add", "NCB-FR", "--name", "INTERPOL NCB Paris", "--country", "FR", "--kind", "ncb")
    record = {"id": "p1", "schema": "Person", "properties": {"name": ["Ivan Sokolov"]}}
    (folder / "ring.ftm.json").write_text(json.dumps(record))
    cli("import", "ftm", str(folder / "ring.ftm.json"), "--dataset", "fr_ring", "--agency", "NCB-FR")
    return {**os.environ, **cli.env}


@pytest.mark.parametrize(
    ("command", "also"),
    [
        (["--help"], frozenset()),
        (["stats"], frozenset()),
        (["datasets"], frozenset()),
        (["audit", "verify"], frozenset()),
        (["show", "p1"], FTM),
    ],
)
def test_light_commands_load_no_engine(
    command: list[str], also: frozenset[str], store_env: dict[str, str]
) -> None:
    code = f"import sys; sys.argv = ['liaison', *{command!r}]; from liaison.cli import main; main()"
    assert loaded(code, store_env) & UNUSED_BY_LIGHT_COMMANDS <= also


def test_a_command_builds_only_its_own_group(store_env: dict[str, str]) -> None:
    run = "import sys; sys.argv = ['liaison', 'audit', 'verify']; from liaison.cli import main; main()"
    found = {name for name in modules(run, store_env) if name.startswith("liaison.cli.")}
    assert "liaison.cli.access" in found  # the audit group's own module
    assert not found & {"liaison.cli.operations", "liaison.cli.border", "liaison.cli.wildlife"}


def test_help_lists_every_group_with_its_own_help() -> None:
    listed = CliRunner().invoke(app, ["--help"], terminal_width=200).output
    for name, (module, attribute) in _GROUPS.items():
        group = getattr(importlib.import_module(module), attribute)
        assert re.search(rf"│ {name} +{re.escape(group.info.help[:40])}", listed), name


def test_xref_help_names_the_engines_candidate_defaults() -> None:
    # The help writes the numbers out so that it does not load the matching engine.
    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    xref = group.commands["xref"]
    (candidates,) = [param for param in xref.params if param.name == "candidates"]
    help_text = getattr(candidates, "help", "")
    assert f"[default: {XREF_CANDIDATES}, {XREF_LEARN_CANDIDATES} with --learn]" in help_text


def test_lazy_re_exports_resolve() -> None:
    import liaison.ingest
    from liaison.ingest.base import Record

    assert liaison.ingest.Record is Record
    with pytest.raises(AttributeError, match="no attribute 'Nothing'"):
        liaison.ingest.Nothing  # noqa: B018
