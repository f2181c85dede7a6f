"""Driving the web application through its forms, as a browser does, with FastAPI's TestClient."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF field of a page's forms."""
    found = _CSRF.search(html)
    assert found is not None, html
    return found.group(1)


def log_in(client: TestClient, user: str, password: str = PASSWORD) -> int:
    """Log in through the form, after dropping any earlier session; the status of the form's answer."""
    client.cookies.clear()
    form = client.get("/app/login")
    answer = client.post(
        "/app/login",
        data={"csrf": csrf_of(form.text), "user": user, "password": password, "next": "/app"},
        follow_redirects=False,
    )
    return answer.status_code


def text_of(html: str) -> str:
    """A page's words without its markup, to assert on what a reader sees."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def logged_in(client: TestClient, user: str, password: str = PASSWORD) -> str:
    """Log in, which must work; the session's CSRF token, which every form of its pages carries."""
    assert log_in(client, user, password) == 303
    token = client.cookies.get("liaison_csrf")
    assert token
    return token
