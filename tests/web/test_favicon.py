"""The icon: every page links one that is there, and `/favicon.ico`, which browsers ask for anyway, is served.

Strategy: the real app on an empty SQLite store; the login page needs no user, and its layout is
every page's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from liaison.api.app import create_app
from liaison.settings import Settings


@pytest.fixture
def client(tmp_path: object) -> Iterator[TestClient]:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/liaison.db", cookie_secure=False)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_the_root_icon_is_a_windows_icon_served_without_login(client: TestClient) -> None:
    icon = client.get("/favicon.ico", follow_redirects=False)
    assert icon.status_code == 200
    assert icon.headers["content-type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # the ICO header: reserved 0, type 1 (icon)
    assert int.from_bytes(icon.content[4:6], "little") >= 2  # 16 and 32 pixels at least


def test_every_icon_the_layout_links_is_there(client: TestClient) -> None:
    layout = client.get("/app/login").text
    links = re.findall(r'<link rel="icon" href="([^"]+)"(?: type="([^"]+)")?', layout)
    assert {href for href, _type in links} == {"/favicon.ico", "/app/static/favicon.svg"}
    for href, kind in links:
        answer = client.get(href)
        assert answer.status_code == 200, href
        if kind:
            assert answer.headers["content-type"].startswith(kind)
            assert answer.text.startswith("<svg") and "</svg>" in answer.text
