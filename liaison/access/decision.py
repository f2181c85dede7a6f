"""The one access decision: `may(identity, action, resource)`, with its reason.

Each kind of resource has one rule (`rule`), a list of grants built from the caller alone;
`may` checks it on one resource, and the store compiles the same rule to SQL for every list
and read of that kind (`store.access.where`). A kind's resource is described by its facts: the
few fields the rule reads, named as the store's columns are mapped.

Records (entities) follow the handling policy of TLP 2.0 and releasability:

    CLEAR         anyone, the public API included
    GREEN         every member agency's users
    AMBER         the owner, and the agencies, countries, sharing groups or users it names
    AMBER+STRICT  the owner and the agencies it names
    RED           the owner and the users it names

The owner agency always reads its own records (TLP restricts recipients, not the source), and
the local operator reads everything. Operations are read by their coordinating agency and
their participants, and results are filed in them by those agencies' users whose role files
(`FILING`); a takedown is moved on by the agency that added it or the coordinating one, and a
RED result's details (victims') are read only by the agency that filed it.
Notices are read by their agency, by every member once published (a diffusion by the agencies
it names), and while submitted by the secretariat's reviewers, who publish or refuse them.
A message thread is read, and written in, by the users of the agencies taking part in it
(never the operator's, which is no agency), except a RED thread, which only its creator and the
users it names read; a message by the readers of its thread, and
a RED one among them only by its sender and the users it names. An agency's auditor reads the
audit events of its people, a node auditor (and the operator) the whole trail. A border
agency's users whose role screens (`SCREENING`) screen for it, and its officers (`ENTRY_DECIDING`)
decide on the referrals it holds. Reference data is read by anyone and replaced by the operator
or an admin. A dataset is known to its agency's people, and to whoever reads one of its records;
it is written by its agency's users, auditors excepted. Only a record's owner agency sees who
read it, and which record a request is for.

The operator (the installation at its console, or its API key) administers everything. An
agency's admin, with a credential that carries the `admin` scope, administers their own
agency's users and tokens, but never its auditors: only the operator appoints, reaches or
disables them; and no token it makes carries a scope its own credential lacks.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from liaison.access.rules import ALWAYS, All, Differs, Equals, Grant, Holds, OneOf, Rule, holds_on
from liaison.model import Handling, Identity, IdentityKind, NoticeKind, NoticeStatus, Role

__all__ = [
    "ADMITTING",
    "DECIDING",
    "ENTRY_DECIDING",
    "FILING",
    "HELD",
    "OPERATOR_APPOINTS",
    "OWNED",
    "SCREENING",
    "AccessRequestFacts",
    "Action",
    "AgencyFacts",
    "AlertFacts",
    "AuditEventFacts",
    "DatasetFacts",
    "Decision",
    "HeldFacts",
    "Kind",
    "MessageFacts",
    "NodeFacts",
    "NoticeFacts",
    "OperationFacts",
    "OwnedFacts",
    "PairFacts",
    "RecordFacts",
    "ReferenceFacts",
    "Resource",
    "ResultFacts",
    "TakedownFacts",
    "ThreadFacts",
    "UserFacts",
    "decider",
    "grant_entry",
    "identity_keys",
    "may",
    "rule",
    "unconditional",
]


class Action(StrEnum):
    """What a caller would do to a resource."""

    READ = "read"
    """Of a dataset: know of it, its name, title and owner (its records have their own rule)."""
    FILE = "file results in"
    """Of an operation: file field results and takedowns in it."""
    PLAN = "plan"
    """Of an operation: create it, for the agency that will coordinate it."""
    CLOSE = "close"
    DRAFT = "draft"
    """Of a notice: write one for the caller's agency. The moves of its lifecycle follow."""
    SUBMIT = "submit"
    SEND = "send"
    """Of a notice: send a diffusion; of a thread: write a message in it (the first included)."""
    REVISE = "revise"
    PUBLISH = "publish"
    REFUSE = "refuse"
    WITHDRAW = "withdraw"
    EXPIRE = "expire"
    WRITE = "write into"
    """Of a dataset: import or write records into it, or post STIX objects to its collection; of
    reference data: replace it; of a takedown: move it on."""
    DECIDE = "decide on"
    """Of a record: grant an access request for it, keep it longer or delete it at review; of a
    referral: deny, refer or clear its hits, and confirm a deny."""
    ADMINISTER = "administer"
    """Of a user: appoint them to a role, set their password, issue or revoke their tokens, disable
    them; of an agency: list and administer its users; of a sharing group: create it, and put
    agencies in it or take them out; of a peer: accept it, see what it would receive, forget it."""
    TRACE = "trace"
    """Of a record: see who read it; of an access request: see which record it is for. What its
    owner agency knows of it, and a reader or requester does not."""
    SCREEN = "screen for"
    """Of an agency: screen travellers, subjects and manifests, and report travel documents, for it."""
    REGISTER = "register"
    """Of an agency: register it at this node, or change its name, country or kind."""


class Kind(StrEnum):
    """The kinds of resource the decision covers."""

    RECORD = "record"
    OPERATION = "operation"
    RESULT = "field result"
    NOTICE = "notice"
    ALERT = "alert"
    MANIFEST = "manifest"
    REFERRAL = "referral"
    ENTRY_DECISION = "entry decision"
    TAXII_STATUS = "TAXII status"
    INDICATOR_SCREENING = "indicator screening"
    DATASET = "dataset"
    ACCESS_REQUEST = "access request"
    WATCH = "watch"
    WEBHOOK = "webhook"
    USER = "user"
    AGENCY = "agency"
    THREAD = "thread"
    MESSAGE = "message"
    AUDIT_EVENT = "audit event"
    REFERENCE = "reference data"
    TAKEDOWN = "takedown"
    MATCH_PAIR = "match pair"
    GROUP = "sharing group"
    HIT_REFERENCE = "hit reference"
    PEER = "peer"


OWNED = frozenset({Kind.WATCH, Kind.WEBHOOK, Kind.HIT_REFERENCE})
"""Kinds one member user owns: watches and webhooks, to be alerted, and the hit/no-hit references
their searches met. The operator has none."""
NODE_KEEPS = frozenset({Kind.GROUP, Kind.PEER})
"""Kinds the node itself keeps, which its operator alone creates and changes."""
HELD = frozenset(
    {Kind.MANIFEST, Kind.REFERRAL, Kind.ENTRY_DECISION, Kind.TAXII_STATUS, Kind.INDICATOR_SCREENING}
)
"""Kinds held by the one agency that made them: a border agency's manifests, referrals and
decisions, the status of a TAXII post, a first responder's trafficking-indicator screening."""


@dataclass(frozen=True, slots=True)
class RecordFacts:
    """What the rule reads of a record: its envelope. `release_keys` are its releasability entries."""

    owner_agency: str
    handling: Handling
    release_keys: frozenset[str]
    kind = Kind.RECORD

    @classmethod
    def of(cls, owner_agency: str, handling: Handling, releasability: Iterable[str]) -> RecordFacts:
        """The facts of a record with this envelope."""
        return cls(owner_agency, handling, frozenset(releasability))


@dataclass(frozen=True, slots=True)
class OperationFacts:
    """What the rule reads of an operation: the agency coordinating it and the participants."""

    agency: str
    agencies: frozenset[str]
    kind = Kind.OPERATION


@dataclass(frozen=True, slots=True)
class ResultFacts:
    """What the rule reads of a field result's details (note, seizure, linked entities)."""

    agency: str
    handling: Handling
    kind = Kind.RESULT


@dataclass(frozen=True, slots=True)
class NoticeFacts:
    """What the rule reads of a notice or diffusion: who issued it, what and where it is, and (a
    diffusion's) the agencies it goes to."""

    agency: str
    notice_kind: NoticeKind
    status: NoticeStatus
    recipients: frozenset[str]
    kind = Kind.NOTICE


@dataclass(frozen=True, slots=True)
class AlertFacts:
    """What the rule reads of an alert: the agency it was sent to, or the one user it was sent to."""

    agency: str | None
    user: str | None
    kind = Kind.ALERT


@dataclass(frozen=True, slots=True)
class HeldFacts:
    """What the rule reads of a resource held by one agency (`HELD`): its kind and that agency."""

    kind: Kind
    agency: str


@dataclass(frozen=True, slots=True)
class OwnedFacts:
    """What the rule reads of a resource one user owns (`OWNED`): its kind and that user."""

    kind: Kind
    user: str | None


@dataclass(frozen=True, slots=True)
class UserFacts:
    """What the rule reads of a user (or of one about to be appointed): their agency and role,
    and the scopes of a token being made for them (none when no token is)."""

    agency: str
    role: Role
    scopes: frozenset[str] = frozenset()
    kind = Kind.USER


@dataclass(frozen=True, slots=True)
class AgencyFacts:
    """What the rule reads of an agency: its code."""

    agency: str
    kind = Kind.AGENCY


@dataclass(frozen=True, slots=True)
class DatasetFacts:
    """What the rule reads of a dataset (a TAXII collection too): the agency that owns it."""

    owner_agency: str
    kind = Kind.DATASET


@dataclass(frozen=True, slots=True)
class AccessRequestFacts:
    """What the rule reads of a request to read a hidden record: the record's owner and the requester."""

    owner_agency: str
    requester: str
    kind = Kind.ACCESS_REQUEST


@dataclass(frozen=True, slots=True)
class ThreadFacts:
    """What the rule reads of a message thread: the agencies taking part, its TLP code, who
    started it and (a RED thread's) the users it names."""

    participants: frozenset[str]
    handling: Handling
    created_by: str
    to_users: frozenset[str]
    kind = Kind.THREAD


@dataclass(frozen=True, slots=True)
class MessageFacts:
    """What the rule reads of a message: its thread's facts (a message is read only in a thread
    its reader reads), its TLP code, its sender and the users it names."""

    thread_participants: frozenset[str]
    thread_handling: Handling
    thread_created_by: str
    thread_to_users: frozenset[str]
    handling: Handling
    sender: str
    to_users: frozenset[str]
    kind = Kind.MESSAGE

    @property
    def thread(self) -> ThreadFacts:
        """The facts of the message's thread."""
        return ThreadFacts(
            self.thread_participants, self.thread_handling, self.thread_created_by, self.thread_to_users
        )

    @classmethod
    def of(
        cls, thread: ThreadFacts, handling: Handling, sender: str, to_users: Iterable[str]
    ) -> MessageFacts:
        """The facts of a message in this thread."""
        return cls(
            thread.participants,
            thread.handling,
            thread.created_by,
            thread.to_users,
            handling,
            sender,
            frozenset(to_users),
        )


@dataclass(frozen=True, slots=True)
class AuditEventFacts:
    """What the rule reads of an audit event: the agency of the person who acted (None: the operator)."""

    agency: str | None
    kind = Kind.AUDIT_EVENT


@dataclass(frozen=True, slots=True)
class TakedownFacts:
    """What the rule reads of a takedown target: the agency that added it and the one coordinating
    its operation."""

    agency: str
    coordinator: str
    kind = Kind.TAKEDOWN


@dataclass(frozen=True, slots=True)
class ReferenceFacts:
    """What the rule reads of the node's public reference data (the CITES species index and trade
    records): nothing, for it is one for the whole node."""

    kind = Kind.REFERENCE


@dataclass(frozen=True, slots=True)
class NodeFacts:
    """What the rule reads of what the node itself keeps (its sharing groups, its peers): only
    the kind, for the operator alone keeps them."""

    kind: Kind


@dataclass(frozen=True, slots=True)
class PairFacts:
    """What the rule reads of a match pair to decide on: nothing, for who may see a pair is
    who may read both its records (`services.xref`); deciding on it is a role's."""

    kind = Kind.MATCH_PAIR


Resource = (
    RecordFacts
    | OperationFacts
    | ResultFacts
    | NoticeFacts
    | AlertFacts
    | HeldFacts
    | DatasetFacts
    | AccessRequestFacts
    | OwnedFacts
    | UserFacts
    | AgencyFacts
    | ThreadFacts
    | MessageFacts
    | AuditEventFacts
    | ReferenceFacts
    | PairFacts
    | TakedownFacts
    | NodeFacts
)


@dataclass(frozen=True, slots=True)
class Decision:
    """Whether the caller may act, and why (the grant that allows it, or why none does)."""

    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


def may(identity: Identity, action: Action, resource: Resource) -> Decision:
    """Whether `identity` may take `action` on `resource`, and the reason."""
    return decider(identity, action, resource.kind)(resource)


def decider(identity: Identity, action: Action, kind: Kind) -> Callable[[Resource], Decision]:
    """`may` for many resources of one kind, its rule built once: for a sync's thousands of records."""
    grants = rule(identity, action, kind)

    def decide(resource: Resource) -> Decision:
        for grant in grants:
            if holds_on(grant.condition, resource):
                return Decision(True, grant.reason)
        return Decision(False, _refusal(identity, action, resource))

    return decide


def rule(identity: Identity, action: Action, kind: Kind) -> Rule:
    """The grants `identity` holds for `action` on resources of `kind`; the store's SQL is built from it."""
    if identity.kind is IdentityKind.OPERATOR:
        # A notice is drafted, a message sent, a traveller screened and an entry decided for an
        # agency, which the operator is not; it has no alerts to watch for.
        if action is Action.DRAFT or kind in OWNED or (action, kind) in _FOR_AN_AGENCY:
            return ()
        return (Grant("the operator acts on everything at its own node", ALWAYS),)
    if identity.kind is IdentityKind.PEER:
        # A peer receives records, decided here at the source, and does nothing else here.
        return _records(identity, action) if (action, kind) == (Action.READ, Kind.RECORD) else ()
    return _RULES[kind](identity, action)


_FOR_AN_AGENCY = frozenset(
    {(Action.SEND, Kind.THREAD), (Action.SCREEN, Kind.AGENCY), (Action.DECIDE, Kind.REFERRAL)}
)


def unconditional(identity: Identity, action: Action, kind: Kind) -> bool:
    """Whether `identity` may take `action` on every resource of `kind`, whatever its facts: then
    it reaches those no longer stored too, such as the deleted ends of a match pair."""
    return any(grant.condition == ALWAYS for grant in rule(identity, action, kind))


FILING = frozenset({Role.ANALYST, Role.OFFICER, Role.FIRST_RESPONDER, Role.COORDINATOR, Role.ADMIN})
"""Roles that file field results and takedowns; reviewers and auditors read them."""


DECIDING = frozenset({Role.ANALYST, Role.OFFICER, Role.COORDINATOR, Role.REVIEWER, Role.ADMIN})
"""Roles that decide for their agency: draft and move its notices, grant access to its records,
keep or delete them. Not auditors (who read the trail) or first responders (who act on what they
are given)."""
SCREENING = frozenset({Role.ANALYST, Role.OFFICER, Role.FIRST_RESPONDER, Role.COORDINATOR, Role.ADMIN})
"""Roles that screen travellers and subjects for their agency; reviewers and auditors read what was
screened."""
ENTRY_DECIDING = frozenset({Role.OFFICER, Role.COORDINATOR, Role.ADMIN})
"""Roles that decide on entry and freezes: officers, and the coordinators and admins who stand in."""
_PUBLISHED = frozenset({NoticeStatus.PUBLISHED, NoticeStatus.WITHDRAWN, NoticeStatus.EXPIRED})
_NOTICES = frozenset(NoticeKind) - {NoticeKind.DIFFUSION}
_OWN_MOVES = frozenset({Action.DRAFT, Action.SUBMIT, Action.SEND, Action.REVISE, Action.WITHDRAW})
_REVIEW_MOVES = frozenset({Action.PUBLISH, Action.REFUSE, Action.WITHDRAW})


def _notices(identity: Identity, action: Action) -> Rule:
    if identity.kind is IdentityKind.PUBLIC or identity.agency is None:
        return ()
    agency = identity.agency
    if action is Action.READ:
        # Once published, a notice stays visible after withdrawal or expiry, so that no one acts on it.
        published = OneOf("status", _PUBLISHED)
        grants = [
            Grant(f"{agency} issued it", Equals("agency", agency)),
            Grant(
                "a published notice reaches every member", All((published, OneOf("notice_kind", _NOTICES)))
            ),
            Grant(
                f"a diffusion sent to {agency}",
                All((published, Equals("notice_kind", NoticeKind.DIFFUSION), Holds("recipients", agency))),
            ),
        ]
        if identity.secretariat and identity.role is Role.REVIEWER:
            submitted = All((Equals("status", NoticeStatus.SUBMITTED), OneOf("notice_kind", _NOTICES)))
            grants.append(Grant("submitted for the secretariat's review", submitted))
        return tuple(grants)
    grants = []
    if action in _OWN_MOVES and identity.role in DECIDING:
        grants.append(Grant(f"{agency} issued it, and a {identity.role} moves it", Equals("agency", agency)))
    if action in _REVIEW_MOVES and identity.secretariat and identity.role is Role.REVIEWER:
        grants.append(Grant("the secretariat reviews it", Differs("agency", agency)))
    return tuple(grants)


def _refusal(identity: Identity, action: Action, resource: Resource) -> str:
    if isinstance(resource, OperationFacts) and identity.kind is IdentityKind.PUBLIC:
        return "sign in to see operations"
    if isinstance(resource, OperationFacts) and identity.kind is IdentityKind.MEMBER:
        if action is Action.PLAN:
            return "operations are created by coordinators"
        if action is Action.CLOSE:
            return f"only {resource.agency}'s coordinators close this operation"
        if action is Action.FILE and identity.role not in FILING:
            return f"a {identity.role} reads field results and takedowns but does not file them"
        return f"{identity.agency} does not take part in this operation"
    if isinstance(resource, NoticeFacts):
        return _notice_refusal(action, resource)
    if isinstance(resource, AgencyFacts) and action is Action.SCREEN:
        if identity.agency == resource.agency:
            return f"the {identity.role} role reads screenings but does not screen"
        return f"only {resource.agency}'s users screen for it"
    if isinstance(resource, AgencyFacts) and action is Action.REGISTER:
        return "only the operator registers agencies"
    if isinstance(resource, NodeFacts):
        return f"only the operator keeps this node's {resource.kind}s"
    if isinstance(resource, UserFacts | AgencyFacts):
        return _administration_refusal(identity, resource)
    if isinstance(resource, HeldFacts) and resource.kind is Kind.REFERRAL and action is Action.DECIDE:
        if identity.agency == resource.agency:
            return f"a {identity.role} does not decide on entry; officers do"
        return f"only {resource.agency}'s officers decide on its referrals"
    if isinstance(resource, ThreadFacts | MessageFacts) and action in (Action.READ, Action.SEND):
        return _thread_refusal(identity, resource)
    if isinstance(resource, AuditEventFacts) and action is Action.READ:
        if identity.role is Role.AUDITOR and identity.agency is not None:
            return f"an auditor of {identity.agency} reads only the events of its people"
        return "only auditors may read the audit trail"
    if isinstance(resource, DatasetFacts) and action is Action.WRITE:
        if identity.kind is IdentityKind.PUBLIC:
            return "sign in to write records"
        if identity.role is not None and identity.role.audits:
            return "auditors read the trail; they do not write records"
        return f"only {resource.owner_agency} may change its records"
    if isinstance(resource, PairFacts) and identity.role is not None:
        return f"a {identity.role} reads match pairs but does not confirm or dismiss them"
    if isinstance(resource, RecordFacts) and action is Action.TRACE:
        return "only the agency that holds a record sees who read it"
    if isinstance(resource, OwnedFacts) and identity.kind is not IdentityKind.MEMBER:
        return f"{resource.kind}s belong to member agencies' users"
    if action is Action.DECIDE and identity.kind is IdentityKind.MEMBER:
        owner = getattr(resource, "owner_agency", None)
        if owner == identity.agency:
            return f"a {identity.role} may not decide for {owner}: its {', '.join(sorted(DECIDING))} do"
        return f"only {owner} decides on its records"
    who = identity.user or identity.kind.value
    return f"no rule lets {who} {action.value} this {resource.kind}"


def _thread_refusal(identity: Identity, resource: ThreadFacts | MessageFacts) -> str:
    if identity.kind is not IdentityKind.MEMBER:
        return "messages are exchanged between member agencies' users"
    if isinstance(resource, MessageFacts):
        if may(identity, Action.READ, resource.thread):
            return "a RED message is read by its sender and the users it names alone"
        resource = resource.thread
    if identity.agency not in resource.participants:
        return f"{identity.agency} does not take part in this thread"
    return "a RED thread is read by its creator and the users it names alone"


def _administration_refusal(identity: Identity, resource: UserFacts | AgencyFacts) -> str:
    if identity.role is not Role.ADMIN or identity.agency != resource.agency:
        return f"only the operator or an admin of {resource.agency} may do this"
    if "admin" not in identity.scopes:
        return "this token lacks the admin scope; administration needs a token made with it"
    if isinstance(resource, UserFacts) and not resource.scopes <= identity.scopes:
        lacking = ", ".join(sorted(resource.scopes - identity.scopes))
        return f"a token gets no scope the credential making it lacks ({lacking})"
    role = resource.role.value if isinstance(resource, UserFacts) else "user"
    return f"only the operator appoints or administers the role {role}"


def _notice_refusal(action: Action, notice: NoticeFacts) -> str:
    if action is Action.READ:
        return "no such notice"
    if action is Action.DRAFT:
        return "notices are drafted by member agencies' analysts, officers, coordinators and admins"
    who = {
        Action.PUBLISH: "a reviewer of the secretariat, not of the issuing agency",
        Action.REFUSE: "a reviewer of the secretariat, not of the issuing agency",
        Action.EXPIRE: "the operator (notices expire by themselves)",
    }.get(action, f"{notice.agency}'s analysts, officers, coordinators or admins")
    return f"only {who} may {action.value} this notice"


def identity_keys(identity: Identity) -> dict[str, tuple[str, ...]]:
    """The releasability entries that name a member, by kind: its agency, country, groups and user.
    A peer is named by its agency's entries alone: users are people of this node, so a record
    released to one (RED's only way out) is never sent to another node."""
    if identity.kind not in (IdentityKind.MEMBER, IdentityKind.PEER):
        return {"agency": (), "country": (), "group": (), "user": ()}
    return {
        "agency": (f"agency:{identity.agency}",),
        "country": (f"country:{identity.country}",),
        "group": tuple(f"group:{group}" for group in sorted(identity.groups)),
        "user": (f"user:{identity.user}",) if identity.kind is IdentityKind.MEMBER else (),
    }


ADMITTING: dict[Handling, tuple[str, ...]] = {
    Handling.AMBER: ("agency", "country", "group", "user"),
    Handling.AMBER_STRICT: ("agency",),
    Handling.RED: ("user",),
}
"""Which kinds of releasability entry admit a reader, per handling code."""


def _records(identity: Identity, action: Action) -> Rule:
    if action is Action.TRACE:
        if identity.agency is None:
            return ()
        return (Grant(f"{identity.agency} owns it", Equals("owner_agency", identity.agency)),)
    if action is Action.DECIDE:
        if identity.kind is IdentityKind.PUBLIC or identity.role not in DECIDING:
            return ()
        return (Grant(f"{identity.agency} owns it", Equals("owner_agency", identity.agency)),)
    if action is not Action.READ:
        return ()
    clear = Grant("CLEAR: anyone may read it", Equals("handling", Handling.CLEAR))
    if identity.kind is IdentityKind.PUBLIC:
        return (clear,)
    keys = identity_keys(identity)
    green = Grant("GREEN: every member agency may read it", Equals("handling", Handling.GREEN))
    named = tuple(
        Grant(
            f"{handling.value}, released to {key}",
            All((Equals("handling", handling), Holds("release_keys", key))),
        )
        for handling, kinds in ADMITTING.items()
        for kind in kinds
        for key in keys[kind]
    )
    if identity.kind is IdentityKind.PEER:
        # What a peer receives is what the owner released to the agency it hosts; an agency
        # owns nothing at a node that does not host it.
        return (clear, green, *named)
    return (
        clear,
        green,
        Grant(f"{identity.agency} owns it", Equals("owner_agency", identity.agency)),
        *named,
    )


def _alerts(identity: Identity, action: Action) -> Rule:
    if identity.kind is IdentityKind.PUBLIC or identity.agency is None or action is not Action.READ:
        return ()
    return (
        Grant(f"sent to {identity.agency}", Equals("agency", identity.agency)),
        Grant(f"sent to {identity.user}", Equals("user", identity.user)),
    )


def _datasets(identity: Identity, action: Action) -> Rule:
    if identity.kind is IdentityKind.PUBLIC or identity.agency is None:
        return ()
    if action is Action.READ:
        # Knowing of a dataset (its name, title, owner): its agency's people, auditors too. Others
        # know of it only through the records they read in it (`store.registry`).
        return (Grant(f"{identity.agency} owns it", Equals("owner_agency", identity.agency)),)
    if action is not Action.WRITE:
        return ()
    if identity.role is not None and identity.role.audits:
        return ()
    return (Grant(f"{identity.agency} owns it", Equals("owner_agency", identity.agency)),)


def _access_requests(identity: Identity, action: Action) -> Rule:
    if identity.kind is IdentityKind.PUBLIC:
        return ()
    owner = Grant(f"{identity.agency} owns the record", Equals("owner_agency", identity.agency))
    if action is Action.TRACE:
        return (owner,)
    if action is Action.DECIDE:
        return (owner,) if identity.role in DECIDING else ()
    if action is not Action.READ:
        return ()
    return (owner, Grant(f"{identity.user} asked", Equals("requester", identity.user)))


def _owned(identity: Identity, action: Action) -> Rule:
    if identity.kind is not IdentityKind.MEMBER or action not in (Action.READ, Action.WRITE):
        return ()
    return (Grant(f"{identity.user}'s own", Equals("user", identity.user)),)


OPERATOR_APPOINTS = frozenset({Role.AUDITOR, Role.NODE_AUDITOR})
"""Roles only the operator gives, and whose holders only the operator administers: auditors
watch the admins."""


def _administration(identity: Identity, action: Action) -> Rule:
    # An agency's admin, with a credential carrying the admin scope, administers its users but
    # never its auditors; no one grants a role they could not appoint.
    if action is not Action.ADMINISTER or identity.role is not Role.ADMIN or "admin" not in identity.scopes:
        return ()
    agency = Equals("agency", identity.agency)
    appointable = OneOf("role", frozenset(Role) - OPERATOR_APPOINTS)
    # Nor a scope their own credential lacks: a token made with `write` and `admin` makes no
    # `read` token, for its holder or anyone else.
    held = sorted(identity.scopes)
    within = OneOf(
        "scopes",
        frozenset(
            frozenset(part) for size in range(len(held) + 1) for part in itertools.combinations(held, size)
        ),
    )
    return (
        Grant(f"an admin of {identity.agency} administers its users", All((agency, appointable, within))),
    )


def _agencies(identity: Identity, action: Action) -> Rule:
    if action is Action.SCREEN:
        if identity.agency is None or identity.role not in SCREENING:
            return ()
        return (
            Grant(f"{identity.agency}'s {identity.role}s screen for it", Equals("agency", identity.agency)),
        )
    if action is not Action.ADMINISTER or identity.role is not Role.ADMIN or "admin" not in identity.scopes:
        return ()
    return (Grant(f"an admin of {identity.agency} administers it", Equals("agency", identity.agency)),)


def _held(identity: Identity, action: Action) -> Rule:
    if identity.kind is IdentityKind.PUBLIC or identity.agency is None or action is not Action.READ:
        return ()
    return (Grant(f"{identity.agency} holds it", Equals("agency", identity.agency)),)


def _referrals(identity: Identity, action: Action) -> Rule:
    if action is not Action.DECIDE:
        return _held(identity, action)
    if identity.agency is None or identity.role not in ENTRY_DECIDING:
        return ()
    return (
        Grant(
            f"{identity.agency} holds it, and its {identity.role}s decide on entry",
            Equals("agency", identity.agency),
        ),
    )


def _results(identity: Identity, action: Action) -> Rule:
    if action is not Action.READ:
        return ()
    # Victims' results are RED: their details stay with the agency that filed them.
    shared = tuple(
        Grant(f"{handling.value}: every participant reads it", Equals("handling", handling))
        for handling in Handling
        if handling is not Handling.RED
    )
    if identity.agency is None:
        return shared
    return (*shared, Grant(f"{identity.agency} filed it", Equals("agency", identity.agency)))


def _operations(identity: Identity, action: Action) -> Rule:
    if identity.kind is IdentityKind.PUBLIC or identity.agency is None:
        return ()
    coordinates = Grant(f"{identity.agency} coordinates it", Equals("agency", identity.agency))
    if action in (Action.PLAN, Action.CLOSE):
        return (coordinates,) if identity.role is Role.COORDINATOR else ()
    if action is Action.FILE and identity.role not in FILING:
        return ()
    return (coordinates, Grant(f"{identity.agency} takes part in it", Holds("agencies", identity.agency)))


def _thread_grants(agency: str, user: str, prefix: str) -> tuple[Grant, ...]:
    # A message names its thread's fields with `prefix`, so that they stand beside its own.
    takes_part = Holds(f"{prefix}participants", agency)
    return (
        Grant(f"{agency} takes part in it", All((takes_part, Differs(f"{prefix}handling", Handling.RED)))),
        Grant(f"{user} started it", All((takes_part, Equals(f"{prefix}created_by", user)))),
        Grant(f"it is for {user}", All((takes_part, Holds(f"{prefix}to_users", user)))),
    )


def _threads(identity: Identity, action: Action) -> Rule:
    # TLP:RED is for the eyes of named recipients: a RED thread's other readers get nothing of it.
    # One writes in the threads one reads.
    if action not in (Action.READ, Action.SEND):
        return ()
    reader = _member_reading(identity, Action.READ)
    return () if reader is None else _thread_grants(*reader, "")


def _messages(identity: Identity, action: Action) -> Rule:
    reader = _member_reading(identity, action)
    if reader is None:
        return ()
    agency, user = reader
    own = (
        Grant("not RED", Differs("handling", Handling.RED)),
        Grant(f"{user} sent it", Equals("sender", user)),
        Grant(f"sent to {user}", Holds("to_users", user)),
    )
    return tuple(
        Grant(
            f"{message.reason}, in a thread where {thread.reason}", All((message.condition, thread.condition))
        )
        for message, thread in itertools.product(own, _thread_grants(agency, user, "thread_"))
    )


def _member_reading(identity: Identity, action: Action) -> tuple[str, str] | None:
    if identity.kind is not IdentityKind.MEMBER or action is not Action.READ:
        return None
    if identity.agency is None or identity.user is None:
        return None
    return identity.agency, identity.user


def _audit_events(identity: Identity, action: Action) -> Rule:
    if identity.kind is not IdentityKind.MEMBER or action is not Action.READ:
        return ()
    if identity.role is Role.NODE_AUDITOR:
        return (Grant("a node auditor reads the whole trail", ALWAYS),)
    if identity.role is Role.AUDITOR and identity.agency is not None:
        return (Grant(f"done by {identity.agency}'s people", Equals("agency", identity.agency)),)
    return ()


def _takedowns(identity: Identity, action: Action) -> Rule:
    if action is not Action.WRITE or identity.agency is None or identity.role not in FILING:
        return ()
    return (
        Grant(f"{identity.agency} added it", Equals("agency", identity.agency)),
        Grant(f"{identity.agency} coordinates its operation", Equals("coordinator", identity.agency)),
    )


def _reference(identity: Identity, action: Action) -> Rule:
    if action is Action.READ:
        return (Grant("reference data is public", ALWAYS),)
    if action is Action.WRITE and identity.role is Role.ADMIN:
        return (Grant("an admin replaces the node's reference data", ALWAYS),)
    return ()


def _pairs(identity: Identity, action: Action) -> Rule:
    if (
        action is not Action.DECIDE
        or identity.kind is not IdentityKind.MEMBER
        or identity.role not in DECIDING
    ):
        return ()
    return (Grant(f"a {identity.role} confirms or dismisses the pairs it reads", ALWAYS),)


def grant_entry(handling: Handling, user: str, agency: str) -> str:
    """The releasability entry a granted access request adds, so the requester can read the record.

    RED admits only named users, so the requester is named; AMBER and AMBER+STRICT name the
    requester's agency, as an agency-to-agency grant of intelligence is made.
    """
    return f"user:{user}" if handling is Handling.RED else f"agency:{agency}"


_RULES: dict[Kind, Callable[[Identity, Action], Rule]] = {
    Kind.RECORD: _records,
    Kind.OPERATION: _operations,
    Kind.RESULT: _results,
    Kind.NOTICE: _notices,
    Kind.ALERT: _alerts,
    Kind.DATASET: _datasets,
    Kind.ACCESS_REQUEST: _access_requests,
    Kind.USER: _administration,
    Kind.AGENCY: _agencies,
    Kind.THREAD: _threads,
    Kind.MESSAGE: _messages,
    Kind.AUDIT_EVENT: _audit_events,
    Kind.REFERENCE: _reference,
    Kind.TAKEDOWN: _takedowns,
    Kind.MATCH_PAIR: _pairs,
    **dict.fromkeys(NODE_KEEPS, lambda identity, action: ()),
    **dict.fromkeys(HELD, _held),
    Kind.REFERRAL: _referrals,
    **dict.fromkeys(OWNED, _owned),
}
