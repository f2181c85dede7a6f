"""Settings: each is described, and each is read from its LIAISON_* variable."""

from __future__ import annotations

import pytest

from liaison.settings import Settings


def test_every_setting_has_a_description() -> None:
    for name, field in Settings.model_fields.items():
        assert field.description and len(field.description) > 15, f"setting {name} is undocumented"


def test_settings_come_from_liaison_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIAISON_DATABASE_URL", "postgresql+psycopg://u@db/liaison")
    monkeypatch.setenv("LIAISON_RETENTION_YEARS", "3")
    settings = Settings()
    assert settings.database_url == "postgresql+psycopg://u@db/liaison"
    assert settings.retention_years == 3


def test_webhook_networks_come_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIAISON_WEBHOOK_ALLOW", "127.0.0.1, 10.20.0.0/16,fd00:1::/64")
    assert [str(network) for network in Settings().webhook_allow] == [
        "127.0.0.1/32",
        "10.20.0.0/16",
        "fd00:1::/64",
    ]
    monkeypatch.delenv("LIAISON_WEBHOOK_ALLOW")
    assert Settings().webhook_allow == ()  # none by default: only the public internet
