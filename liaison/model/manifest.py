"""Passenger manifests for advance passenger information: a flight and the people on board.

Plain data read from a PAXLST message or a CSV file (`liaison.ingest.manifest`). A person
whose entry cannot be accepted becomes a `PassengerError` beside the others, never a
half-read `Passenger`; screening takes the passengers, the user reads the errors.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

__all__ = [
    "DOCUMENT_KINDS",
    "GENDERS",
    "MAX_PASSENGERS",
    "REPORTED_KINDS",
    "REPORTED_STATUSES",
    "Flight",
    "Manifest",
    "Passenger",
    "PassengerError",
    "TravelDocument",
]

# PAXLST DOC codes (data element 1001 as the WCO/IATA/ICAO API guidelines use it) -> our kind.
# A CSV file may give either a code or one of our kind names.
DOCUMENT_KINDS: dict[str, str] = {
    "P": "passport",
    "IP": "passport",  # passport card: issued as a passport, numbered like one
    "I": "identity_card",
    "A": "identity_card",
    "C": "identity_card",
    "V": "visa",
    "F": "other",  # approved non-standard identity documents used for travel
    "AC": "other",  # crew member certificate
}
GENDERS = frozenset({"male", "female", "other"})
REPORTED_KINDS = ("passport", "identity_card", "visa", "other")
"""The kinds of document the register of lost, stolen and revoked travel documents holds."""
REPORTED_STATUSES = ("lost", "stolen", "revoked", "invalidated")
"""What a document in that register was reported as."""

# The largest airliner seats about 850; a longer list is refused whole, not cut short.
MAX_PASSENGERS = 1_000


@dataclass(frozen=True, slots=True)
class TravelDocument:
    """A document a passenger travels on; an expired one is kept, as screening may care."""

    kind: str  # "passport", "identity_card", "visa" or "other"
    number: str  # upper case, letters and digits only
    country: str | None  # issuing country, ISO 3166 alpha-2 in lower case as FtM stores it
    expiry: dt.date | None


@dataclass(frozen=True, slots=True)
class Passenger:
    """One person on board, passenger or crew, as read; `where` says where, for messages."""

    position: int  # 1-based order in the manifest, counting people whose entry was refused
    where: str  # "line 5" (CSV) or "segment 23" (PAXLST: the person's NAD segment)
    surname: str
    given_names: str
    birth_date: str | None  # ISO date; a CSV may give only "1984" or "1984-03"
    nationality: str | None  # ISO 3166 alpha-2 in lower case
    gender: str | None  # FtM's values: "male", "female" or "other"
    documents: tuple[TravelDocument, ...]

    @property
    def name(self) -> str:
        """Given names then surname, as FtM's `name` reads: "Sean O'Brien"."""
        return f"{self.given_names} {self.surname}".strip()

    def key(self) -> tuple[str, str, str]:
        """What makes two entries the same person: name (casefolded), birth date, first document."""
        number = self.documents[0].number if self.documents else ""
        return (" ".join(self.name.casefold().split()), self.birth_date or "", number)


@dataclass(frozen=True, slots=True)
class PassengerError:
    """A person's entry that could not be accepted, or (position 0) a whole-manifest remark."""

    position: int
    where: str
    problem: str  # "field 'birth_date': 2031-01-01 is in the future"


@dataclass(frozen=True, slots=True)
class Flight:
    """The flight a manifest covers; a part the source does not give is "" or None."""

    number: str  # "AF1234"
    departure: str  # IATA airport code (PAXLST LOC+125)
    arrival: str  # IATA airport code (PAXLST LOC+87)
    departs_at: dt.datetime | None  # timezone-aware, UTC (PAXLST DTM+189)
    arrives_at: dt.datetime | None  # timezone-aware, UTC (PAXLST DTM+232)


@dataclass(frozen=True, slots=True)
class Manifest:
    """A manifest as read: the flight, the people accepted and the entries refused."""

    source: str  # the file name as given, used in messages
    format: str  # "csv" or "paxlst"
    flight: Flight
    passengers: tuple[Passenger, ...]
    errors: tuple[PassengerError, ...]
