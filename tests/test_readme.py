"""Every shell block of README.md runs verbatim against a fresh demo store, in order.

Datasette tests its documentation so; here a README command that drifts from the code fails the
build. The blocks run from a folder that looks like the repository's root (its `data/`,
`examples/` and `.venv` linked in), so the files they write land there, not in the clone.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[1]
_FENCE = re.compile(r"^```sh\n(.*?)^```", re.DOTALL | re.MULTILINE)


@dataclass(frozen=True)
class Block:
    line: int
    text: str

    def __str__(self) -> str:
        return f"README.md:{self.line}"


def readme_blocks() -> list[Block]:
    """The README's ```sh blocks with the line each begins on."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return [Block(text.count("\n", 0, found.start()) + 2, found.group(1)) for found in _FENCE.finditer(text)]


def _runnable(block: Block) -> bool:
    # The two commands are the ones that set everything up and run this very test suite: CI runs
    # `make test` itself, and `make run` is checked from a bare clone (see the closing notes).
    return "make test" not in block.text


BLOCKS = [block for block in readme_blocks() if _runnable(block)]


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A folder like the repository's root, with a fresh demo store that the blocks share."""
    folder = tmp_path_factory.mktemp("readme")
    for name in ("data", "examples", ".venv"):
        (folder / name).symlink_to(REPO / name)
    bin_dir = str(Path(sys.executable).parent)
    env = {
        **os.environ,
        "LIAISON_DATABASE_URL": f"sqlite:///{folder / 'liaison.db'}",
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "COLUMNS": "200",
    }
    for command in (["init"], ["demo"]):
        subprocess.run(["liaison", *command], cwd=folder, env=env, check=True, capture_output=True)
    return folder, env


def test_the_readme_has_its_tour() -> None:
    assert len(readme_blocks()) > len(BLOCKS) >= 5


_SERVED = "http://127.0.0.1:8000"


@pytest.fixture(scope="module")
def served(root: tuple[Path, dict[str, str]]) -> Iterator[None]:
    """`liaison serve` on the README's own address, for the blocks that call the API."""
    folder, env = root
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", 8000)) == 0:
            pytest.fail("port 8000 is in use (a `make run`?): the README's API examples need it free")
    server = subprocess.Popen(
        ["liaison", "serve"], cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{_SERVED}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.parametrize("block", BLOCKS, ids=str)
def test_each_readme_block_runs_verbatim(
    root: tuple[Path, dict[str, str]], block: Block, request: pytest.FixtureRequest
) -> None:
    folder, env = root
    if _SERVED in block.text:
        request.getfixturevalue("served")
    ran = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block.text],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert ran.returncode == 0, (
        f"{block} exited {ran.returncode}:\n{ran.stdout[-3000:]}\n{ran.stderr[-3000:]}"
    )
    assert "Traceback" not in ran.stderr, f"{block}:\n{ran.stderr[-3000:]}"
