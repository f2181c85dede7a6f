"""Webhooks cannot be aimed inside the network, and their secrets are sealed at rest.

Strategy: bob of NCB-FR registers webhooks. Addresses that are not public (loopback, private,
link-local, cloud metadata, …) are refused when registered and again when delivered, unless
the installation's allow-list names their network; a name counts by every address it resolves
to. The real receiver is an HTTP server on 127.0.0.1, so the tests that deliver allow loopback
explicitly. Names other than `localhost` resolve through a table passed in as the resolver
(the test seam for DNS, which lies outside Liaison); a name the table knows is unknown to the
system, so a delivery that arrives proves it went to the address that was checked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.server
import shutil
import ssl
import stat
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv6Address, ip_address
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from liaison import store
from liaison.access.sealing import new_key
from liaison.errors import BadInput
from liaison.model import Agency, AgencyKind, Identity, Role
from liaison.services.accounts import access
from liaison.services.messaging import webhook_targets, webhooks
from liaison.settings import Settings
from liaison.store import watches as watch_store
from liaison.store.alerts import add_alert
from liaison.store.tables import DeliveryRow, WebhookRow

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
LOOPBACK = "127.0.0.0/8"
NAMES: dict[str, list[str]] = {}


def resolve(host: str, port: int) -> list[IPv4Address | IPv6Address]:
    """Names from NAMES; `localhost` and address literals through the system's resolver."""
    if host in NAMES:
        return [ip_address(address) for address in NAMES[host]]
    return webhook_targets.resolve_name(host, port)


def setup(database_url: str, tmp_path: Path, *allow: str) -> webhooks.WebhookConfig:
    settings = Settings(
        database_url=database_url, webhook_allow=allow, secret_key_file=tmp_path / "secret.key"
    )
    return webhooks.config(settings, resolve)


@pytest.fixture(autouse=True)
def names() -> Iterator[dict[str, list[str]]]:
    NAMES.clear()
    yield NAMES
    NAMES.clear()


@pytest.fixture
def bob(engine: Engine, agency: Agency) -> Identity:
    access.add_user(engine, Identity.operator(), "bob", agency.code, Role.ANALYST, NOW)
    return access.identity_of(engine, "bob")


def alert(engine: Engine) -> None:
    """An alert to bob, which queues a delivery to each of his webhooks."""
    with Session(engine) as session, session.begin():
        add_alert(session, kind="watch.hit", subject="p1", detail={"entity_id": "p1"}, now=NOW, user="bob")


def last_errors(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return list(session.scalars(select(DeliveryRow.last_error).order_by(DeliveryRow.id)))


@dataclass
class Received:
    method: str
    path: str
    host: str
    body: bytes
    signature: str


@dataclass
class Receiver:
    """A real HTTP server on 127.0.0.1 that records what it gets and may answer with a redirect."""

    server: http.server.ThreadingHTTPServer
    received: list[Received] = field(default_factory=list)
    redirect: str | None = None

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])


def serve(context: ssl.SSLContext | None = None) -> Receiver:
    """Start a receiver, speaking TLS under `context` when one is given."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def _record(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            signature = self.headers["X-Liaison-Signature"] or ""
            made.received.append(Received(self.command, self.path, self.headers["Host"], body, signature))
            if made.redirect and self.path != "/elsewhere":
                self.send_response(302)
                self.send_header("Location", made.redirect)
            else:
                self.send_response(204)
            self.end_headers()

        do_GET = do_POST = _record

        def log_message(self, *_args: object) -> None:
            return

    made = Receiver(http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler))
    if context is not None:
        made.server.socket = context.wrap_socket(made.server.socket, server_side=True)
    threading.Thread(target=made.server.serve_forever, daemon=True).start()
    return made


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made = serve()
    yield made
    made.server.shutdown()
    made.server.server_close()


def world(url: str) -> tuple[Engine, Identity]:
    """A migrated store at `url` with NCB-FR and bob, outside the backend fixtures."""
    engine = store.open_engine(url)
    store.migrate(engine)
    with Session(engine) as session, session.begin():
        store.save_agency(session, Agency("NCB-FR", "INTERPOL NCB Paris", "FR", AgencyKind.NCB))
    access.add_user(engine, Identity.operator(), "bob", "NCB-FR", Role.ANALYST, NOW)
    return engine, access.identity_of(engine, "bob")


@pytest.fixture(scope="module")
def lone_bob(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, Identity, Path]]:
    """One SQLite store and bob for the registration table: a refusal never reaches the store."""
    folder = tmp_path_factory.mktemp("refusals")
    engine, bob = world(f"sqlite:///{folder / 'liaison.db'}")
    yield engine, bob, folder
    engine.dispose()


REFUSED = [
    ("http://127.0.0.1:8199/internal-admin", "127.0.0.1 is a loopback address"),
    ("http://[::1]:8199/", "::1 is a loopback address"),
    ("http://localhost:8199/", "localhost (127.0.0.1) is a loopback address"),  # resolved here
    ("http://2130706433/", "2130706433 (127.0.0.1) is a loopback address"),  # 127.0.0.1 in decimal
    ("http://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1 (127.0.0.1) is a loopback address"),
    ("http://[2002:7f00:1::1]/", "2002:7f00:1::1 (127.0.0.1) is a loopback address"),  # 6to4
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a cloud metadata address"),
    ("http://[fd00:ec2::254]/", "fd00:ec2::254 is a cloud metadata address"),
    ("http://169.254.10.1/", "169.254.10.1 is a link-local address"),
    ("http://[fe80::1]/", "fe80::1 is a link-local address"),
    ("http://10.1.2.3/", "10.1.2.3 is a private address"),
    ("http://172.16.0.1/", "172.16.0.1 is a private address"),
    ("https://192.168.1.1/", "192.168.1.1 is a private address"),
    ("http://[fd12:3456::1]/", "fd12:3456::1 is a private address"),
    ("http://[64:ff9b::a01:203]/", "64:ff9b::a01:203 (10.1.2.3) is a private address"),  # NAT64
    ("http://100.64.0.1/", "100.64.0.1 is a shared (CGNAT) address"),
    ("http://0.0.0.0:8199/", "0.0.0.0 is an unspecified address"),
    ("http://[::]/", ":: is an unspecified address"),
    ("http://224.0.0.251/", "224.0.0.251 is a multicast address"),
    ("http://[ff02::1]/", "ff02::1 is a multicast address"),
    ("http://240.0.0.1/", "240.0.0.1 is a reserved address"),
    ("http://192.0.2.10/", "192.0.2.10 is not a public address"),  # documentation range
]


@pytest.mark.parametrize(("url", "says"), REFUSED)
def test_webhooks_may_not_be_aimed_inside_the_network(
    lone_bob: tuple[Engine, Identity, Path], url: str, says: str
) -> None:
    engine, bob, folder = lone_bob
    with pytest.raises(BadInput) as refused:
        webhooks.add(engine, bob, url, NOW, setup(str(engine.url), folder))
    assert says in str(refused.value) and "LIAISON_WEBHOOK_ALLOW" in str(refused.value)
    assert webhooks.list_webhooks(engine, bob) == []


@pytest.mark.parametrize(
    "url", ["http://[0]/", "http://[not-an-address]/x", "http://host:99999/", "ftp://example.org/", "//x"]
)
def test_what_is_no_http_url_is_refused_as_bad_input(
    lone_bob: tuple[Engine, Identity, Path], url: str
) -> None:
    engine, bob, folder = lone_bob
    with pytest.raises(BadInput, match="field 'url'"):
        webhooks.add(engine, bob, url, NOW, setup(str(engine.url), folder))


@pytest.mark.parametrize(
    ("addresses", "says"),
    [
        (["93.184.215.14", "10.0.0.7"], "hooks.example.org (10.0.0.7) is a private address"),
        (["2606:2800:21f:cb07:6820:80da:af6b:8b2c", "::1"], "hooks.example.org (::1) is a loopback"),
        (["169.254.169.254"], "hooks.example.org (169.254.169.254) is a cloud metadata address"),
    ],
)
def test_a_name_is_refused_when_any_of_its_addresses_is(
    lone_bob: tuple[Engine, Identity, Path], names: dict[str, list[str]], addresses: list[str], says: str
) -> None:
    engine, bob, folder = lone_bob
    names["hooks.example.org"] = addresses
    with pytest.raises(BadInput) as refused:
        webhooks.add(engine, bob, "https://hooks.example.org/in", NOW, setup(str(engine.url), folder))
    assert says in str(refused.value)


def test_the_allow_list_admits_its_networks_and_public_addresses_need_none(
    lone_bob: tuple[Engine, Identity, Path], names: dict[str, list[str]]
) -> None:
    engine, bob, folder = lone_bob
    names["soc.ncb-fr.example"] = ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]
    names["siem.ncb-fr.internal"] = ["10.20.0.5"]
    public, inside = setup(str(engine.url), folder), setup(str(engine.url), folder, "10.20.0.0/16", LOOPBACK)
    added = [
        webhooks.add(engine, bob, "https://soc.ncb-fr.example/liaison", NOW, public),
        webhooks.add(engine, bob, "http://93.184.215.14/in", NOW, public),
        # A name that does not resolve yet is taken: delivery checks it again, as it does every name.
        webhooks.add(engine, bob, "https://soc.nowhere.invalid/in", NOW, public),
        webhooks.add(engine, bob, "http://siem.ncb-fr.internal:8080/in", NOW, inside),
        webhooks.add(engine, bob, "http://localhost:8199/in", NOW, inside),
    ]
    assert {hook.url for hook in webhooks.list_webhooks(engine, bob)} == {made.webhook.url for made in added}
    with pytest.raises(BadInput, match=r"siem\.ncb-fr\.internal \(10\.20\.0\.5\) is a private address"):
        webhooks.add(engine, bob, "http://siem.ncb-fr.internal:8080/in", NOW, public)
    for made in added:
        webhooks.remove(engine, bob, made.webhook.webhook_id, NOW)


def test_delivery_checks_the_address_again(
    engine: Engine, bob: Identity, receiver: Receiver, names: dict[str, list[str]], tmp_path: Path
) -> None:
    url, database = f"http://127.0.0.1:{receiver.port}/alerts", str(engine.url)
    webhooks.add(engine, bob, url, NOW, setup(database, tmp_path, LOOPBACK))
    alert(engine)
    # The installation narrows its allow-list: what was allowed when registered is not posted.
    assert webhooks.deliver_due(engine, NOW, setup(database, tmp_path)) == (0, 1)
    assert receiver.received == []
    assert "127.0.0.1 is a loopback address" in last_errors(engine)[0]
    later = NOW + dt.timedelta(seconds=2)
    assert webhooks.deliver_due(engine, later, setup(database, tmp_path, LOOPBACK)) == (1, 0)
    assert [hit.path for hit in receiver.received] == ["/alerts"]


def test_a_name_that_rebinds_to_a_refused_address_is_not_posted_to(
    engine: Engine, bob: Identity, receiver: Receiver, names: dict[str, list[str]], tmp_path: Path
) -> None:
    names["hooks.ncb-fr.example"] = ["93.184.215.14"]
    url, database = f"http://hooks.ncb-fr.example:{receiver.port}/alerts", str(engine.url)
    webhooks.add(engine, bob, url, NOW, setup(database, tmp_path))
    names["hooks.ncb-fr.example"] = ["127.0.0.1"]  # DNS rebinding, after the check at registration
    alert(engine)
    assert webhooks.deliver_due(engine, NOW, setup(database, tmp_path)) == (0, 1)
    assert receiver.received == []
    assert "hooks.ncb-fr.example (127.0.0.1) is a loopback address" in last_errors(engine)[0]


def test_delivery_connects_to_the_address_it_checked(
    engine: Engine, bob: Identity, receiver: Receiver, names: dict[str, list[str]], tmp_path: Path
) -> None:
    # The system cannot resolve this name: only a post to the checked address can arrive.
    names["hooks.ncb-fr.test"] = ["127.0.0.1"]
    allowed, database = setup(str(engine.url), tmp_path, LOOPBACK), str(engine.url)
    added = webhooks.add(engine, bob, f"http://hooks.ncb-fr.test:{receiver.port}/in?case=118", NOW, allowed)
    alert(engine)
    assert webhooks.deliver_due(engine, NOW, setup(database, tmp_path, LOOPBACK)) == (1, 0)
    [got] = receiver.received
    assert (got.method, got.path, got.host) == ("POST", "/in?case=118", f"hooks.ncb-fr.test:{receiver.port}")
    assert hmac.compare_digest(got.signature, webhooks.sign(added.secret, got.body))


def test_redirects_are_not_followed(
    engine: Engine, bob: Identity, receiver: Receiver, tmp_path: Path
) -> None:
    receiver.redirect = f"http://127.0.0.1:{receiver.port}/elsewhere"
    allowed = setup(str(engine.url), tmp_path, LOOPBACK)
    webhooks.add(engine, bob, f"http://127.0.0.1:{receiver.port}/alerts", NOW, allowed)
    alert(engine)
    assert webhooks.deliver_due(engine, NOW, allowed) == (0, 1)
    assert [(hit.method, hit.path) for hit in receiver.received] == [("POST", "/alerts")]
    assert "HTTP 302" in last_errors(engine)[0]


def _certificate(folder: Path, name: str) -> ssl.SSLContext:
    """A server context with a fresh self-signed certificate for `name`."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
        .not_valid_after(dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    (folder / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return context


def test_https_is_posted_to_the_checked_address_and_the_certificate_of_the_name_is_verified(
    engine: Engine, bob: Identity, names: dict[str, list[str]], tmp_path: Path
) -> None:
    receiver = serve(_certificate(tmp_path, "hooks.ncb-fr.test"))
    names["hooks.ncb-fr.test"] = ["127.0.0.1"]
    allowed = setup(str(engine.url), tmp_path, LOOPBACK)
    webhooks.add(engine, bob, f"https://hooks.ncb-fr.test:{receiver.port}/in", NOW, allowed)
    alert(engine)
    # The TLS handshake took place with the checked address, and its self-signed certificate,
    # trusted by no authority, was refused: nothing was posted.
    assert webhooks.deliver_due(engine, NOW, allowed) == (0, 1)
    assert "CERTIFICATE_VERIFY_FAILED" in last_errors(engine)[0]
    assert receiver.received == []
    receiver.server.shutdown()
    receiver.server.server_close()


def stored_secrets(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return list(session.scalars(select(WebhookRow.secret)))


def test_the_stored_secret_is_sealed_and_still_signs(
    engine: Engine, bob: Identity, receiver: Receiver, tmp_path: Path
) -> None:
    allowed = setup(str(engine.url), tmp_path, LOOPBACK)
    added = webhooks.add(engine, bob, f"http://127.0.0.1:{receiver.port}/alerts", NOW, allowed)
    [stored] = stored_secrets(engine)
    assert len(added.secret) >= 40 and added.secret not in stored
    alert(engine)
    assert webhooks.deliver_due(engine, NOW, allowed) == (1, 0)
    [got] = receiver.received
    assert hmac.compare_digest(got.signature, webhooks.sign(added.secret, got.body))


def test_a_copy_of_the_database_without_its_key_opens_no_secret(receiver: Receiver, tmp_path: Path) -> None:
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    home.mkdir(), elsewhere.mkdir()
    url, copied = f"sqlite:///{home / 'liaison.db'}", f"sqlite:///{elsewhere / 'liaison.db'}"
    engine, bob = world(url)
    # The embedded default: no key set, so one is made beside the SQLite file, for its owner only.
    defaults = webhooks.config(Settings(database_url=url, webhook_allow=(LOOPBACK,)))
    added = webhooks.add(engine, bob, f"http://127.0.0.1:{receiver.port}/alerts", NOW, defaults)
    key = home / "liaison.db.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    alert(engine)
    engine.dispose()
    shutil.copy(home / "liaison.db", elsewhere / "liaison.db")
    assert added.secret.encode() not in (elsewhere / "liaison.db").read_bytes()

    copy = store.open_engine(copied)
    without_key = webhooks.config(Settings(database_url=copied, webhook_allow=(LOOPBACK,)))
    assert webhooks.deliver_due(copy, NOW, without_key) == (0, 1)
    assert "liaison.db.key is missing" in last_errors(copy)[0]
    assert not (elsewhere / "liaison.db.key").exists()  # opening never makes a key
    another = Settings(database_url=copied, webhook_allow=(LOOPBACK,), secret_key=new_key())
    assert webhooks.deliver_due(copy, NOW + dt.timedelta(seconds=2), webhooks.config(another)) == (0, 1)
    assert "does not open under this key" in last_errors(copy)[0]
    assert receiver.received == []
    copy.dispose()

    original = store.open_engine(url)
    assert webhooks.deliver_due(original, NOW, defaults) == (1, 0)
    [got] = receiver.received
    assert hmac.compare_digest(got.signature, webhooks.sign(added.secret, got.body))
    original.dispose()


def test_the_plaintext_secrets_of_an_older_store_are_sealed(
    engine: Engine, bob: Identity, receiver: Receiver, tmp_path: Path
) -> None:
    with Session(engine) as session, session.begin():  # as Liaison kept them before sealing
        url = f"http://127.0.0.1:{receiver.port}/old"
        watch_store.add_webhook(session, "00c0ffee00c0ffee", "bob", url, "an-old-plaintext-secret", NOW)
    allowed = setup(str(engine.url), tmp_path, LOOPBACK)
    assert webhooks.seal_plaintext(engine, allowed) == 1
    assert webhooks.seal_plaintext(engine, allowed) == 0
    [stored] = stored_secrets(engine)
    assert "an-old-plaintext-secret" not in stored
    alert(engine)
    assert webhooks.deliver_due(engine, NOW, allowed) == (1, 0)
    [got] = receiver.received
    assert hmac.compare_digest(got.signature, webhooks.sign("an-old-plaintext-secret", got.body))


def test_signatures_are_hmac_sha256_of_the_body() -> None:
    body = b'{"id": 1}'
    assert webhooks.sign("s3cret", body) == "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
