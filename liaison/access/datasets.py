"""Which datasets a member may write: their agency's own, or a new one named in its namespace.

Dataset names are one namespace for the whole node, so a member who could claim any free name
would learn, by being refused, that a hidden dataset exists. A new dataset's name therefore
starts with the writer's agency prefix (NCB-FR writes `ncb_fr_…`), and every other name answers
the same refusal whether it is taken or free.
"""

from __future__ import annotations

from liaison.errors import Forbidden
from liaison.model import Identity, IdentityKind

__all__ = ["dataset_prefix", "require_writable"]


def dataset_prefix(agency: str) -> str:
    """The start of the names of the datasets an agency creates: `ncb_fr_` for NCB-FR."""
    return agency.lower().replace("-", "_") + "_"


def require_writable(identity: Identity, dataset: str, owner: str | None) -> None:
    """Refuse a write by a member to a dataset (owned by `owner`, None if new) not theirs to write."""
    if identity.kind is IdentityKind.OPERATOR or (owner is not None and owner == identity.agency):
        return
    agency = identity.agency or "the public"
    prefix = dataset_prefix(identity.agency or "")
    if owner is None and identity.agency is not None and dataset.startswith(prefix):
        return
    raise Forbidden(
        f"dataset {dataset!r} is not one of {agency}'s: write to one of its datasets, or start the name "
        f"of a new one with {prefix!r}"
    )
