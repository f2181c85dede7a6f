"""The layers of ../shared/DESIGN.md, held by the imports: no module reaches up past its band.

Strategy: every module's imports, read from its source (at the top and inside functions), are
checked against the rules below; a violation names the module and what it imports.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).parents[1] / "liaison"

CORE = {"model", "names", "matching", "domains", "analysis"}
RULES = {
    # band: the packages of liaison it must not import, and the libraries
    "core": (
        CORE,
        {"store", "access", "ingest", "services", "api", "web", "http", "cli", "demo"},
        {"sqlalchemy", "fastapi"},
    ),
    "io": (
        {"ingest"},
        {"domains", "store", "access", "services", "api", "web", "http", "cli", "demo"},
        set(),
    ),
    "access": ({"access"}, {"store", "ingest", "services", "api", "web", "http", "cli", "demo"}, {"fastapi"}),
    "store": ({"store"}, {"services", "api", "web", "http", "cli", "demo"}, {"fastapi"}),
    "services": ({"services"}, {"api", "web", "http", "cli", "demo"}, {"fastapi", "starlette"}),
    # What api and web share sits below both; the web pages import no API module.
    "http": ({"http"}, {"api", "web", "cli", "demo"}, set()),
    "web": ({"web"}, {"api", "cli"}, set()),
    "api": ({"api"}, {"cli"}, set()),
}


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            if node.module == "liaison":  # `from liaison import web`
                found.update(f"liaison.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def _violations(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        package = path.relative_to(root).parts[0]
        for band, (packages, forbidden, libraries) in RULES.items():
            if package.removesuffix(".py") not in packages:
                continue
            for name in sorted(_imports(path)):
                parts = name.split(".")
                inner = parts[1] if parts[0] == "liaison" and len(parts) > 1 else None
                if inner in forbidden or (parts[0] != "liaison" and parts[0] in libraries):
                    found.append(f"{band}: {path.relative_to(root.parent)} imports {name}")
    return found


def test_no_module_imports_from_a_layer_above_its_own() -> None:
    assert _violations(ROOT) == []


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    # The rule table is only worth something if a violation would show.
    planted = tmp_path / "liaison"
    (planted / "ingest").mkdir(parents=True)
    (planted / "matching").mkdir()
    (planted / "ingest" / "reader.py").write_text("from liaison.domains.cyber import stix_export\n")
    (planted / "matching" / "index.py").write_text(
        "def f():\n    from liaison import web\n    import sqlalchemy\n"
    )
    assert _violations(planted) == [
        "io: liaison/ingest/reader.py imports liaison.domains.cyber",
        "core: liaison/matching/index.py imports liaison.web",
        "core: liaison/matching/index.py imports sqlalchemy",
    ]


def test_services_are_grouped_by_topic() -> None:
    # DESIGN.md: services by topic. A workflow module left at the root is one no topic owns.
    services = ROOT / "services"
    loose = sorted(path.name for path in services.glob("*.py") if path.name != "__init__.py")
    topics = sorted(path.name for path in services.iterdir() if (path / "__init__.py").is_file())
    assert loose == []
    assert {"accounts", "sharing", "screening", "messaging", "operations"} <= set(topics)
