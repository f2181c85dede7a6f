"""Liaison's one settings object. Nothing else reads the environment."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, IPvAnyNetwork, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

__all__ = ["Settings"]

_PROJECT_ROOT = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    """Settings read from `LIAISON_*` environment variables; the defaults run a local demo."""

    model_config = SettingsConfigDict(env_prefix="LIAISON_", frozen=True)

    database_url: str = Field(
        default="sqlite:///liaison.db",
        description="SQLAlchemy URL of the store: SQLite (embedded default) or postgresql+psycopg://…",
    )
    shared_data: Path = Field(
        default=_PROJECT_ROOT / "data",
        description="Folder of the public reference data that the demo world loads (the repository's "
        "data/ by default; each file there may be gzipped or not).",
    )
    retention_years: int = Field(
        default=5,
        ge=1,
        description="Years after import at which a record's retention must be reviewed.",
    )
    import_batch_size: int = Field(
        default=2_000,
        ge=1,
        description="Entities written per database round-trip during an import.",
    )
    match_threshold: float = Field(
        default=0.7,
        ge=0.0,
        le=1.0,
        description="Score at or above which a comparison is reported as a match.",
    )
    match_workers: int = Field(
        default=0,
        ge=0,
        le=64,
        description="Processes scoring a large screening batch (a manifest): 0 for one per core, 1 to "
        "score in the serving process alone.",
    )
    match_candidates: int = Field(
        default=25,
        ge=1,
        le=1_000,
        description="Candidates fully scored per query: the index's best half, then the most name-like "
        "of a pool eight times as large.",
    )
    index_poll_seconds: float = Field(
        default=0.5,
        gt=0.0,
        le=60.0,
        description="Seconds between a server's looks at the store's change feed: what any process "
        "commits (an import from the CLI, another server's write) is screened within about this long.",
    )
    api_key: str | None = Field(
        default=None,
        description="Key that yente-compatible API callers must send as `Authorization: ApiKey <key>`; "
        "it reads as the operator. Without it, callers without a token are the public (CLEAR records only).",
    )
    rate_per_second: float = Field(
        default=50.0,
        gt=0,
        description="Requests per second each token (or, for the public, each client address) may make "
        "on average; more are answered 429.",
    )
    rate_burst: int = Field(
        default=100, ge=1, description="Requests a token may make at once above its rate."
    )
    login_failures_per_account: int = Field(
        default=5,
        ge=1,
        description="Failed password checks an account may have within the login window; further "
        "logins to it are refused (429), without the password being checked, until the oldest leaves it.",
    )
    login_failures_per_address: int = Field(
        default=20,
        ge=1,
        description="Failed password checks, over any accounts, one client address may have within the "
        "login window before its logins are refused (429) alike.",
    )
    login_window_minutes: int = Field(
        default=15, ge=1, le=24 * 60, description="Minutes a failed password check counts against the limits."
    )
    cookie_secure: bool = Field(
        default=True,
        description="Mark session cookies Secure (sent over HTTPS only; browsers also send them to "
        "localhost). Turn off only behind a TLS-terminating proxy that speaks plain HTTP to Liaison.",
    )
    max_body_bytes: int = Field(
        default=2 * 1024 * 1024, ge=1_024, description="Largest request body accepted; larger ones get 413."
    )
    host: str = Field(default="127.0.0.1", description="Address the web server binds to.")
    port: int = Field(default=8000, description="Port the web server listens on.")
    demo_seed: int = Field(default=7, description="Seed of the generated demo world; same seed, same world.")

    # Webhooks: where alerts may be posted, and the key that seals their signing secrets.
    webhook_allow: Annotated[tuple[IPvAnyNetwork, ...], NoDecode] = Field(
        default=(),
        description="Networks webhooks may reach besides the public internet, as comma-separated "
        "addresses or CIDRs (e.g. `10.20.0.0/16,127.0.0.1`); loopback, private, link-local, "
        "cloud-metadata and other non-public addresses are refused unless listed here.",
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="Key that seals stored secrets (webhook signing secrets) and keys the audit chain and "
        "its signed checkpoints (each through a key derived for it): 32 random bytes in base64, "
        "e.g. from `openssl rand -base64 32`. Without it the key is read from `secret_key_file`.",
    )
    secret_key_file: Path | None = Field(
        default=None,
        description="File holding that key when `secret_key` is unset; by default `<database file>.key` "
        "beside an SQLite store, made with mode 0600 when first needed. Other stores need one of the two.",
    )

    # Federation: this node as its peers know it.
    node_name: str = Field(
        default="liaison",
        pattern=r"^[a-z0-9][a-z0-9.-]{0,62}$",
        description="This node's name among its peers: 1 to 63 lower-case letters, digits, '.' or '-' "
        "(e.g. `ncb-paris`).",
    )
    node_url: str | None = Field(
        default=None,
        description="The base URL peers reach this node at (e.g. `https://liaison.ncb.example`); "
        "by default `http://HOST:PORT` of the web server.",
    )

    @field_validator("webhook_allow", mode="before")
    @classmethod
    def _split_networks(cls, value: object) -> object:
        # The environment gives one comma-separated string rather than JSON.
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value
