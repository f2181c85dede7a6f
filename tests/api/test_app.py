"""The web application's error shape: problem+json, never a traceback."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from liaison.api.app import create_app
from liaison.settings import Settings


def test_health_reports_an_uninitialised_database_as_a_problem(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'empty.db'}")
    with TestClient(create_app(settings)) as client:
        response = client.get("/api/v1/health")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 503 and body["title"] == "Service unavailable"
    assert "liaison init" in body["detail"]
    assert "Traceback" not in response.text


def test_unknown_route_is_404(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'empty.db'}")
    with TestClient(create_app(settings)) as client:
        assert client.get("/nope").status_code == 404
