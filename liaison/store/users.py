"""Users, API tokens and sharing groups: the rows behind identities."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from liaison.errors import Conflict, NotFound
from liaison.model import AgencyKind, Role
from liaison.store.tables import AgencyRow, GroupMemberRow, SharingGroupRow, TokenRow, UserRow

__all__ = [
    "API_TOKEN",
    "WEB_SESSION",
    "StoredToken",
    "User",
    "add_group_member",
    "get_token",
    "get_user",
    "groups_of_agency",
    "is_known",
    "list_groups",
    "list_tokens",
    "list_users",
    "password_hash_of",
    "remove_group_member",
    "revoke_token",
    "revoke_tokens_of",
    "save_group",
    "save_token",
    "save_user",
    "set_password_hash",
    "set_user_disabled",
    "token_holder",
]


API_TOKEN = "api"
"""The kind of a token an admin made for scripts and other systems."""
WEB_SESSION = "session"
"""The kind of a token a web login made: it lives in the browser's cookie for one shift."""


@dataclass(frozen=True, slots=True)
class User:
    """A user with their agency's country; `has_password` says whether web login is open to them."""

    name: str
    agency: str
    country: str
    role: Role
    disabled: bool
    has_password: bool
    created_at: dt.datetime
    secretariat: bool = False
    """Whether the user's agency is the secretariat."""


@dataclass(frozen=True, slots=True)
class StoredToken:
    """A token's row: never its secret, only the secret's hash."""

    token_id: str
    user: str
    secret_hash: str
    scopes: tuple[str, ...]
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    kind: str = API_TOKEN


def _user(row: UserRow, country: str, agency_kind: str) -> User:
    return User(
        row.name,
        row.agency,
        country,
        Role(row.role),
        row.disabled,
        row.password_hash is not None,
        row.created_at,
        agency_kind == AgencyKind.SECRETARIAT.value,
    )


def save_user(
    session: Session, name: str, agency: str, role: Role, password_hash: str | None, now: dt.datetime
) -> None:
    """Add a user; Conflict when the name is taken, NotFound when the agency is not registered."""
    if session.get(AgencyRow, agency) is None:
        raise NotFound(f"agency {agency!r} is not registered; add it with `liaison agency add {agency} ...`")
    if session.get(UserRow, name) is not None:
        raise Conflict(f"user {name!r} exists already")
    session.add(
        UserRow(
            name=name,
            agency=agency,
            role=role.value,
            password_hash=password_hash,
            disabled=False,
            created_at=now,
        )
    )


def get_user(session: Session, name: str, *, for_update: bool = False) -> User:
    """The user with this name, or NotFound naming it.

    `for_update` locks the user's row until the transaction ends (on PostgreSQL; SQLite's
    transactions are serialised already), so that a disable and a new token or session for the
    user happen one after the other, never interleaved.
    """
    query = (
        select(UserRow, AgencyRow.country, AgencyRow.kind)
        .join(AgencyRow, AgencyRow.code == UserRow.agency)
        .where(UserRow.name == name)
    )
    found = session.execute(query.with_for_update(of=UserRow) if for_update else query).first()
    if found is None:
        raise NotFound(f"no user named {name!r}")
    return _user(found[0], found[1], found[2])


def password_hash_of(session: Session, name: str) -> str | None:
    """The stored password hash of a user, or None."""
    row = session.get(UserRow, name)
    return row.password_hash if row is not None else None


def list_users(session: Session, agency: str | None = None) -> list[User]:
    """Users by name, of one agency or all."""
    query = (
        select(UserRow, AgencyRow.country, AgencyRow.kind)
        .join(AgencyRow, AgencyRow.code == UserRow.agency)
        .order_by(UserRow.name)
    )
    if agency is not None:
        query = query.where(UserRow.agency == agency)
    return [_user(row, country, kind) for row, country, kind in session.execute(query)]


def set_password_hash(session: Session, name: str, password_hash: str) -> None:
    """Replace a user's stored password hash."""
    row = session.get(UserRow, name)
    if row is None:
        raise NotFound(f"no user named {name!r}")
    row.password_hash = password_hash


def set_user_disabled(session: Session, name: str, disabled: bool) -> None:
    """Disable or enable a user; a disabled user's tokens and logins are refused."""
    row = session.get(UserRow, name)
    if row is None:
        raise NotFound(f"no user named {name!r}")
    row.disabled = disabled


def save_token(
    session: Session,
    token_id: str,
    user: str,
    secret_hash: str,
    scopes: tuple[str, ...],
    now: dt.datetime,
    expires_at: dt.datetime,
    kind: str = API_TOKEN,
) -> None:
    """Store a new token's hash; `kind` is `API_TOKEN` or `WEB_SESSION`."""
    session.add(
        TokenRow(
            id=token_id,
            user=user,
            secret_hash=secret_hash,
            scopes=list(scopes),
            kind=kind,
            created_at=now,
            expires_at=expires_at,
            revoked_at=None,
        )
    )


def _token(row: TokenRow) -> StoredToken:
    return StoredToken(
        row.id,
        row.user,
        row.secret_hash,
        tuple(row.scopes),
        row.created_at,
        row.expires_at,
        row.revoked_at,
        row.kind,
    )


def get_token(session: Session, token_id: str) -> StoredToken | None:
    """A token's row by its id, or None."""
    row = session.get(TokenRow, token_id)
    return _token(row) if row is not None else None


def token_holder(session: Session, token_id: str) -> tuple[StoredToken, User, frozenset[str]] | None:
    """A token with its user and the user's agency's sharing groups, in one round trip; or None.

    Every API request identifies its caller this way, so it is one query, not four.
    """
    rows = session.execute(
        select(TokenRow, UserRow, AgencyRow.country, AgencyRow.kind, GroupMemberRow.group)
        .join(UserRow, UserRow.name == TokenRow.user)
        .join(AgencyRow, AgencyRow.code == UserRow.agency)
        .outerjoin(GroupMemberRow, GroupMemberRow.agency == UserRow.agency)
        .where(TokenRow.id == token_id)
    ).all()
    if not rows:
        return None
    token, user, country, kind, _group = rows[0]
    groups = frozenset(row[4] for row in rows if row[4] is not None)
    return _token(token), _user(user, country, kind), groups


def list_tokens(session: Session, user: str | None = None, agency: str | None = None) -> list[StoredToken]:
    """Tokens, newest first, of one user, of one agency's users, or all."""
    query = select(TokenRow).order_by(TokenRow.created_at.desc(), TokenRow.id)
    if user is not None:
        query = query.where(TokenRow.user == user)
    if agency is not None:
        query = query.join(UserRow, UserRow.name == TokenRow.user).where(UserRow.agency == agency)
    return [_token(row) for row in session.scalars(query)]


def revoke_token(session: Session, token_id: str, now: dt.datetime) -> StoredToken:
    """Revoke a token (once; revoking again keeps the first time)."""
    row = session.get(TokenRow, token_id)
    if row is None:
        raise NotFound(f"no token with id {token_id!r}")
    if row.revoked_at is None:
        row.revoked_at = now
    return _token(row)


def revoke_tokens_of(
    session: Session, user: str, now: dt.datetime, *, kind: str | None = None, keep: str | None = None
) -> list[str]:
    """Revoke a user's live tokens, only those of `kind` if given, all but `keep`; their ids, sorted."""
    query = update(TokenRow).where(TokenRow.user == user, TokenRow.revoked_at.is_(None))
    if kind is not None:
        query = query.where(TokenRow.kind == kind)
    if keep is not None:
        query = query.where(TokenRow.id != keep)
    revoked = session.execute(query.values(revoked_at=now).returning(TokenRow.id)).scalars()
    return sorted(revoked)


def save_group(session: Session, name: str, description: str, now: dt.datetime) -> None:
    """Create a sharing group; Conflict when it exists."""
    if session.get(SharingGroupRow, name) is not None:
        raise Conflict(f"sharing group {name!r} exists already")
    session.add(SharingGroupRow(name=name, description=description, created_at=now))


def add_group_member(session: Session, group: str, agency: str) -> None:
    """Put an agency in a sharing group (again is a no-op)."""
    if session.get(SharingGroupRow, group) is None:
        raise NotFound(f"no sharing group named {group!r}")
    if session.get(AgencyRow, agency) is None:
        raise NotFound(f"agency {agency!r} is not registered")
    if session.get(GroupMemberRow, (group, agency)) is None:
        session.add(GroupMemberRow(group=group, agency=agency))


def remove_group_member(session: Session, group: str, agency: str) -> None:
    """Take an agency out of a sharing group."""
    session.execute(
        delete(GroupMemberRow).where(GroupMemberRow.group == group, GroupMemberRow.agency == agency)
    )


def list_groups(session: Session) -> dict[str, tuple[str, list[str]]]:
    """Every group: name -> (description, member agencies)."""
    groups: dict[str, tuple[str, list[str]]] = {
        row.name: (row.description, [])
        for row in session.scalars(select(SharingGroupRow).order_by(SharingGroupRow.name))
    }
    for member in session.scalars(select(GroupMemberRow).order_by(GroupMemberRow.agency)):
        groups[member.group][1].append(member.agency)
    return groups


def is_known(session: Session, kind: str, name: str) -> bool:
    """Whether an agency, sharing group or user of this name is registered (releasability checks)."""
    table = {"agency": AgencyRow, "group": SharingGroupRow, "user": UserRow}[kind]
    return session.get(table, name) is not None


def groups_of_agency(session: Session, agency: str) -> frozenset[str]:
    """The sharing groups an agency belongs to."""
    return frozenset(session.scalars(select(GroupMemberRow.group).where(GroupMemberRow.agency == agency)))
