"""The layout's navigation: which pages each role's menu lists, grouped by the work they serve.

`PAGES` is the one table. It decides what a menu shows, not what a user may open: every page
keeps its own checks, so a link left out is a shortcut left out, and a page reached by its
address answers as it always did. Labels are English message ids, translated through
`liaison.i18n` in the page's language.

    >>> [group.title for group in menu(Role.FIRST_RESPONDER, "es", "/app/indicators")]
    ['Inteligencia', 'Cooperación', 'Ámbitos']
"""

from __future__ import annotations

from dataclasses import dataclass

from liaison.i18n import translations
from liaison.model import Role

__all__ = ["GROUPS", "PAGES", "Group", "Link", "NavPage", "menu"]

# Short names for the table below.
AN, OF, FR, CO, RE, AD, AU, NA = (
    Role.ANALYST,
    Role.OFFICER,
    Role.FIRST_RESPONDER,
    Role.COORDINATOR,
    Role.REVIEWER,
    Role.ADMIN,
    Role.AUDITOR,
    Role.NODE_AUDITOR,
)

GROUPS = ("Intelligence", "Cooperation", "Operations", "Domains", "Admin")
"""The menu's groups, in the order they are shown."""


@dataclass(frozen=True, slots=True)
class NavPage:
    """A page the menu can list: its group, label, address, the roles whose menu lists it, and
    the other addresses under which it is the current page (its sub-pages)."""

    group: str
    label: str
    href: str
    roles: frozenset[Role]
    also: tuple[str, ...] = ()


def _page(group: str, label: str, href: str, *roles: Role, also: tuple[str, ...] = ()) -> NavPage:
    return NavPage(group, label, href, frozenset(roles), also)


# Who uses what. Analysts work the data; officers act at the border and on cases; first responders
# meet people in the field (the phone-first indicator form, screening a name, messages); coordinators
# run operations; reviewers settle pairs and notices; an admin runs the agency's users and its
# reference data (seizures, CITES), while the agency's analysts decide its access requests; an
# auditor reads the trail. Alerts are on everyone's dashboard
# (the brand's link), which is why no menu lists them.
PAGES = (
    _page("Intelligence", "Search", "/app/search", AN, OF, CO, RE, AD, also=("/app/entities",)),
    _page("Intelligence", "Screen", "/app/screen", AN, OF, FR, CO),
    _page("Intelligence", "Review", "/app/review", AN, OF, CO, RE),
    _page("Intelligence", "Network", "/app/network", AN, OF, CO, RE),
    _page("Intelligence", "Routes", "/app/routes", AN, CO),
    _page("Intelligence", "Watches", "/app/watches", AN, OF, CO, RE),
    _page("Cooperation", "Messages", "/app/messages", AN, OF, FR, CO, RE, AD),
    _page("Cooperation", "Notices", "/app/notices", AN, OF, CO, RE),
    _page("Cooperation", "Access requests", "/app/access", AN, OF, CO, RE),
    _page("Operations", "Operations", "/app/operations", AN, OF, CO),
    _page("Operations", "Border", "/app/manifests", OF, CO, also=("/app/decisions", "/app/documents")),
    _page("Operations", "Referrals", "/app/referrals", OF, CO),
    _page("Domains", "Trafficking", "/app/trafficking", AN, CO),
    _page("Domains", "Wildlife", "/app/wildlife", AN, OF, CO, AD),
    _page("Domains", "Cyber", "/app/cyber", AN, OF, CO),
    _page("Domains", "Indicators", "/app/indicators", OF, FR),
    _page("Admin", "Administration", "/app/admin", AD),
    _page("Admin", "Audit", "/app/audit", AU, NA),
)


@dataclass(frozen=True, slots=True)
class Link:
    """A link of the menu as a page shows it: translated, and whether it is the page shown."""

    label: str
    href: str
    current: bool


@dataclass(frozen=True, slots=True)
class Group:
    """A group of the menu as a page shows it."""

    key: str
    title: str
    links: tuple[Link, ...]


def _is_current(page: NavPage, path: str) -> bool:
    return any(path == href or path.startswith(href + "/") for href in (page.href, *page.also))


def menu(role: Role | None, language: str, path: str = "") -> list[Group]:
    """The groups of `role`'s menu with their links, in `language`; the link of `path` marked current.

    A caller without a role (the operator has no web login) gets an empty menu.
    """
    say = translations(language).gettext
    groups = []
    for key in GROUPS:
        links = tuple(
            Link(say(page.label), page.href, _is_current(page, path))
            for page in PAGES
            if page.group == key and role in page.roles
        )
        if links:
            groups.append(Group(key.lower(), say(key), links))
    return groups
