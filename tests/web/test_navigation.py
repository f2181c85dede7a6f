"""The layout's menu: each role sees its own groups and links, in the page's language, and a
link left out of a menu is no access decision (the pages keep their own checks).

Strategy: one agency with a user of every role on an empty store, through the real app and its
login form; the menu read out of each user's dashboard. The expected menus are written out here,
apart from `liaison.web.navigation.PAGES`, so a change of the table is a change of this test too.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from jinja2.ext import babel_extract
from sqlalchemy import Engine

from liaison.api.app import create_app
from liaison.i18n import LOCALE_DIR
from liaison.model import Agency, AgencyKind, Identity, Role
from liaison.services.accounts import access, agencies
from liaison.settings import Settings
from liaison.web.navigation import GROUPS, PAGES
from tests.web.pages import log_in

NOW = dt.datetime.now(dt.UTC)
LAYOUT = Path(__file__).parents[2] / "liaison" / "web" / "templates" / "base.html"

INTELLIGENCE = ["Search", "Screen", "Review", "Network", "Routes", "Watches"]
COOPERATION = ["Messages", "Notices", "Access requests"]
MENUS: dict[Role, dict[str, list[str]]] = {
    Role.ANALYST: {
        "Intelligence": INTELLIGENCE,
        "Cooperation": COOPERATION,
        "Operations": ["Operations"],
        "Domains": ["Trafficking", "Wildlife", "Cyber"],
    },
    Role.OFFICER: {
        "Intelligence": ["Search", "Screen", "Review", "Network", "Watches"],
        "Cooperation": COOPERATION,
        "Operations": ["Operations", "Border", "Referrals"],
        "Domains": ["Wildlife", "Cyber", "Indicators"],
    },
    Role.FIRST_RESPONDER: {
        "Intelligence": ["Screen"],
        "Cooperation": ["Messages"],
        "Domains": ["Indicators"],
    },
    Role.COORDINATOR: {
        "Intelligence": INTELLIGENCE,
        "Cooperation": COOPERATION,
        "Operations": ["Operations", "Border", "Referrals"],
        "Domains": ["Trafficking", "Wildlife", "Cyber"],
    },
    Role.REVIEWER: {
        "Intelligence": ["Search", "Review", "Network", "Watches"],
        "Cooperation": COOPERATION,
    },
    Role.ADMIN: {
        "Intelligence": ["Search"],
        "Cooperation": ["Messages"],
        "Domains": ["Wildlife"],
        "Admin": ["Administration"],
    },
    Role.AUDITOR: {"Admin": ["Audit"]},
}
_NAV = re.compile(r'<nav class="menu"[^>]*>(.*?)</nav>', re.S)
_GROUP = re.compile(r'<span class="menu-title" id="menu-[a-z]+">([^<]+)</span>(.*?)</ul>', re.S)
_LINK = re.compile(r'<a href="([^"]+)"[^>]*>([^<]+)</a>')


def menu_of(html: str) -> dict[str, list[str]]:
    """The menu a page shows: each group's title and its links' labels, in order."""
    found = _NAV.search(html)
    assert found is not None, "the page has no menu"
    return {
        title: [label for _href, label in _LINK.findall(links)]
        for title, links in _GROUP.findall(found.group(1))
    }


@pytest.fixture
def client(engine: Engine, database_url: str) -> Iterator[TestClient]:
    operator = Identity.operator()
    agencies.register(engine, Agency("NCB-FR", "NCB Paris", "FR", AgencyKind.NCB), operator)
    for role in Role:
        access.add_user(
            engine, operator, role.value.replace("_", "-"), "NCB-FR", role, NOW, password="a long password"
        )
    settings = Settings(database_url=database_url, cookie_secure=False)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_each_role_sees_exactly_its_groups_and_links(client: TestClient) -> None:
    for role, expected in MENUS.items():
        assert log_in(client, role.value.replace("_", "-"), "a long password") == 303
        dashboard = client.get("/app")
        assert dashboard.status_code == 200, role
        assert menu_of(dashboard.text) == expected, role


def test_the_page_shown_is_marked_in_the_menu(client: TestClient) -> None:
    log_in(client, "officer", "a long password")
    for path, label in (
        ("/app/referrals", "Referrals"),
        ("/app/decisions", "Border"),
        ("/app/search", "Search"),
    ):
        nav = _NAV.search(client.get(path).text)
        assert nav is not None
        assert re.findall(r'<a href="[^"]+" aria-current="page">([^<]+)</a>', nav.group(1)) == [label], path


def test_a_translated_page_has_its_menu_in_the_same_language(client: TestClient) -> None:
    log_in(client, "first-responder", "a long password")
    spanish = client.get("/app/indicators?lang=es").text
    assert '<html lang="es">' in spanish
    assert menu_of(spanish) == {
        "Inteligencia": ["Cribado"],
        "Cooperación": ["Mensajes"],
        "Ámbitos": ["Indicadores"],
    }
    assert 'aria-label="Principal"' in spanish and "Cerrar sesión" in spanish and "Ir al contenido" in spanish
    french = client.get("/app/indicators", headers={"accept-language": "fr-FR,fr;q=0.9"}).text
    assert menu_of(french) == {
        "Renseignement": ["Criblage"],
        "Coopération": ["Messages"],
        "Domaines": ["Indicateurs"],
    }
    # The pages not yet translated keep the whole layout in English.
    assert menu_of(client.get("/app/messages").text) == MENUS[Role.FIRST_RESPONDER]


def test_a_link_left_out_is_no_access_decision(client: TestClient) -> None:
    log_in(client, "auditor", "a long password")
    assert client.get("/app/search").status_code == 200  # not in the auditor's menu, still theirs to open
    log_in(client, "first-responder", "a long password")
    assert client.get("/app/admin").status_code == 403  # the page's own check, menu or no menu


def _layout_texts() -> set[str]:
    with LAYOUT.open("rb") as handle:
        return {msg for _line, _f, msg, _c in babel_extract(handle, ("say",), [], {}) if isinstance(msg, str)}


@pytest.mark.parametrize("language", ["fr", "es"])
def test_every_word_of_the_menu_and_layout_is_translated(language: str) -> None:
    with (LOCALE_DIR / f"{language}.po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    translated = {message.id: message.string for message in catalog if message.id and not message.fuzzy}
    texts = set(GROUPS) | {page.label for page in PAGES} | _layout_texts()
    assert {"Skip to content", "Main", "Log out"} <= texts
    assert not sorted(text for text in texts if not translated.get(text))
