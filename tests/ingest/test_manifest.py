"""Passenger manifests: PAXLST and CSV in, PAXLST out.

Strategy: a hand-written three-person PAXLST interchange (UNA, functional group, escapes,
line breaks, crew, an ICAO country code) and a CSV file pin what is read; each bad input is a
small file built from the same parts with one thing wrong, its segment numbers counted in the
test. hypothesis claims that writing a manifest and reading it back gives the same people.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liaison.errors import BadInput
from liaison.ingest.manifest import (
    MAX_FILE_BYTES,
    read_manifest,
    read_manifest_csv,
    read_paxlst,
    write_paxlst,
)
from liaison.model.manifest import (
    MAX_PASSENGERS,
    Flight,
    Manifest,
    Passenger,
    PassengerError,
    TravelDocument,
)

TODAY = dt.date(2026, 1, 15)
UTC = dt.UTC

# Segment numbers, counted from UNA = 1: UNG 3, UNH 4, TDT 8, first NAD+FL 13, second 23, NAD+FM 30.
SAMPLE = """\
UNA:+.? '
UNB+UNOA:4+AIRLINE1:ZZ+NZCS:ZZ+240701:0900+000000001++APIS'
UNG+PAXLST+AIRLINE1+NZCS+240701:0900+1+UN+D:02B'
UNH+PAX001+PAXLST:D:02B:UN:IATA+API01+01:F'
BGM+745'
NAD+MS+++JOHN SMITH'
COM+703 555 1212:TE'
TDT+20+AF1234+++AF'
LOC+125+CDG'
DTM+189:2407011130:201'
LOC+87+JFK'
DTM+232:2407011400:201'
NAD+FL+++O?'BRIEN:SEAN:PATRICK'
ATT+2++M'
DTM+329:840302'
LOC+178+CDG'
LOC+179+JFK'
NAT+2+IRL'
RFF+AVF:ABC123'
DOC+P:110:111+PA1234567'
DTM+36:290115'
LOC+91+IRL'
NAD+FL+++DUPONT:MARIE CLAIRE'
ATT+2++F'
DTM+329:010612'
NAT+2+FRA'
DOC+I:110:111+X4RTBPFW4'
DTM+36:310101'
LOC+91+FRA'
NAD+FM+++MUELLER?+SOHN:ANNA'
ATT+2++F'
DTM+329:750920'
NAT+2+D'
DOC+P:110:111+C01X00T47'
DTM+36:300501'
LOC+91+D'
CNT+42:3'
UNT+35+PAX001'
UNE+1+1'
UNZ+1+000000001'
"""

SAMPLE_FLIGHT = Flight(
    "AF1234",
    "CDG",
    "JFK",
    dt.datetime(2024, 7, 1, 11, 30, tzinfo=UTC),
    dt.datetime(2024, 7, 1, 14, 0, tzinfo=UTC),
)
SAMPLE_PASSENGERS = (
    Passenger(
        1,
        "segment 13",
        "O'BRIEN",
        "SEAN PATRICK",
        "1984-03-02",
        "ie",
        "male",
        (TravelDocument("passport", "PA1234567", "ie", dt.date(2029, 1, 15)),),
    ),
    Passenger(
        2,
        "segment 23",
        "DUPONT",
        "MARIE CLAIRE",
        "2001-06-12",
        "fr",
        "female",
        (TravelDocument("identity_card", "X4RTBPFW4", "fr", dt.date(2031, 1, 1)),),
    ),
    Passenger(
        3,
        "segment 30",
        "MUELLER+SOHN",
        "ANNA",
        "1975-09-20",
        "de",
        "female",
        (TravelDocument("passport", "C01X00T47", "de", dt.date(2030, 5, 1)),),
    ),
)

# A minimal interchange: UNA 1, UNB 2, UNH 3, BGM 4, NAD+MS 5, TDT 6, LOC 7, DTM 8, LOC 9,
# DTM 10; the first person's NAD is segment 11.
HEAD = (
    "UNA:+.? '",
    "UNB+UNOA:4+AIR:ZZ+BORDER:ZZ+260115:0800+42",
    "UNH+1+PAXLST:D:02B:UN:IATA",
    "BGM+745",
    "NAD+MS+++OPS",
    "TDT+20+LH400",
    "LOC+125+FRA",
    "DTM+189:2601151030:201",
    "LOC+87+JFK",
    "DTM+232:2601151330:201",
)


def person(
    name: str = "SMITH:JOHN",
    birth: str = "840302",
    nat: str = "GBR",
    doc: str = "P:110:111+123456789",
    expiry: str = "300101",
    country: str = "GBR",
) -> list[str]:
    """One person's seven segments: NAD, ATT, DTM+329, NAT, DOC, DTM+36, LOC+91."""
    return [
        f"NAD+FL+++{name}",
        "ATT+2++M",
        f"DTM+329:{birth}",
        f"NAT+2+{nat}",
        f"DOC+{doc}",
        f"DTM+36:{expiry}",
        f"LOC+91+{country}",
    ]


def interchange(*groups: list[str], head: Sequence[str] = HEAD, count: int | None = None) -> str:
    """HEAD, the people's segments, CNT (the number of groups unless given), UNT and UNZ."""
    una, unb, *rest = head
    body = [segment for group in groups for segment in group]
    message = [*rest, *body, f"CNT+42:{len(groups) if count is None else count}"]
    segments = [unb, *message, f"UNT+{len(message) + 1}+1", "UNZ+1+42"]
    return una + "\n" + "".join(f"{segment}'\n" for segment in segments)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refused(path: Path, reader: Callable[[Path, dt.date], Manifest] = read_manifest) -> str:
    """The message of the BadInput that reading the file raises."""
    with pytest.raises(BadInput) as caught:
        reader(path, TODAY)
    return str(caught.value)


# PAXLST in.


def test_sample_flight_and_passengers(tmp_path: Path) -> None:
    manifest = read_manifest(write(tmp_path, "af1234.edi", SAMPLE), TODAY)
    assert manifest.source == str(tmp_path / "af1234.edi")
    assert manifest.format == "paxlst"
    assert manifest.flight == SAMPLE_FLIGHT
    assert manifest.passengers == SAMPLE_PASSENGERS
    assert manifest.errors == ()
    assert manifest.passengers[0].name == "SEAN PATRICK O'BRIEN"
    assert manifest.passengers[0].key() == ("sean patrick o'brien", "1984-03-02", "PA1234567")


def test_sample_read_the_same_with_bom_crlf_and_no_una(tmp_path: Path) -> None:
    # Without UNA the default characters hold, and segments count from UNB: all shift by one.
    text = "\ufeff \r\n" + SAMPLE.split("\n", 1)[1].replace("\n", "\r\n")
    manifest = read_manifest(write(tmp_path, "crlf.edi", text), TODAY)
    assert manifest.flight == SAMPLE_FLIGHT
    assert [p.where for p in manifest.passengers] == ["segment 12", "segment 22", "segment 29"]
    shifted = [dataclasses.replace(p, where="") for p in manifest.passengers]
    assert shifted == [dataclasses.replace(p, where="") for p in SAMPLE_PASSENGERS]


def test_escaped_una_inside_a_name_without_una_header(tmp_path: Path) -> None:
    # pydifact looks for "'UNA" anywhere when the file has no UNA; an escaped O'UNAGH must stay a name.
    text = interchange(person(name="O?'UNAGH:AOIFE"))
    text = text.split("\n", 1)[1]
    manifest = read_paxlst(write(tmp_path, "unagh.edi", text), TODAY)
    assert [(p.surname, p.given_names, p.where) for p in manifest.passengers] == [
        ("O'UNAGH", "AOIFE", "segment 10")
    ]


def test_two_digit_birth_years_take_the_century_that_puts_them_in_the_past(tmp_path: Path) -> None:
    # Today is 2026-01-15: 260115 is today (2026), 260116 would be tomorrow, so 1926.
    groups = [
        person(name="A:ONE", birth="260115", doc="P+A1"),
        person(name="B:TWO", birth="260116", doc="P+B2"),
        person(name="C:THREE", birth="000229", doc="P+C3"),
        person(name="D:FOUR", birth="19991231:102", doc="P+D4"),
        person(name="E:FIVE", birth="1999:602", doc="P+E5"),
        person(name="F:SIX", birth="199912:610", doc="P+F6"),
    ]
    manifest = read_paxlst(write(tmp_path, "years.edi", interchange(*groups)), TODAY)
    assert manifest.errors == ()
    assert [p.birth_date for p in manifest.passengers] == [
        "2026-01-15",
        "1926-01-16",
        "2000-02-29",
        "1999-12-31",
        "1999",
        "1999-12",
    ]
    # DOC+P+NUMBER, without the code list composite, is read as well.
    assert manifest.passengers[0].documents[0].number == "A1"


def test_several_documents_and_expired_one_kept(tmp_path: Path) -> None:
    group = [
        *person(expiry="200101"),
        "DOC+V:110:111+V-778 899",
        "DTM+36:270301",
        "LOC+91+USA",
        "FTX+AAH+++X",
    ]
    manifest = read_paxlst(write(tmp_path, "docs.edi", interchange(group)), TODAY)
    assert manifest.errors == ()
    assert manifest.passengers[0].documents == (
        TravelDocument("passport", "123456789", "gb", dt.date(2020, 1, 1)),
        TravelDocument("visa", "V778899", "us", dt.date(2027, 3, 1)),
    )


def test_unknown_segment_in_a_passenger_group_is_ignored(tmp_path: Path) -> None:
    group = person()
    group.insert(2, "ZZZ+1+WHATEVER:X")
    manifest = read_paxlst(write(tmp_path, "zzz.edi", interchange(group)), TODAY)
    assert manifest.errors == ()
    assert manifest.passengers[0].birth_date == "1984-03-02"


def test_a_manifest_split_in_two_messages_is_one_manifest(tmp_path: Path) -> None:
    first = interchange(person(name="A:ONE", doc="P+A1"))
    # Second message: the same flight, one more person; UNZ of the first is dropped.
    second = [*HEAD[2:], *person(name="B:TWO", doc="P+B2"), "CNT+42:1"]
    text = first.rsplit("UNZ", 1)[0] + "".join(
        f"{s}'\n" for s in [*second, f"UNT+{len(second) + 1}+2", "UNZ+2+42"]
    )
    manifest = read_paxlst(write(tmp_path, "split.edi", text), TODAY)
    assert manifest.errors == ()
    # Message 1 runs from segment 3 to 19 (UNT); message 2's UNH is 20, its NAD+FL 28.
    assert [(p.position, p.where, p.surname) for p in manifest.passengers] == [
        (1, "segment 11", "A"),
        (2, "segment 28", "B"),
    ]


def test_person_errors_leave_the_others_read(tmp_path: Path) -> None:
    groups = [
        person(name="GOOD:ONE", doc="P+G1"),  # NAD 11
        person(name="FUTURE:BORN", birth="20310101:102", doc="P+F1"),  # NAD 18, DTM 20
        person(name="ODD:DOC", doc="Z:110:111+Z1"),  # NAD 25, DOC 29
        person(name="NO:WHERE", nat="QQQ", doc="P+N1"),  # NAD 32, NAT 35
        person(name="GOOD:ONE", doc="P+G1"),  # NAD 39: duplicates NAD 11
        person(name=":NOSURNAME", doc="P+S1"),  # NAD 46
        person(name=f"{'L' * 201}:LONG", doc="P+L1"),  # NAD 53
        person(name="ISSUER:BAD", country="XYZ", doc="P+I1"),  # NAD 60, LOC 66
        person(name="GOOD:TWO", doc="P+G2"),  # NAD 67
    ]
    path = write(tmp_path, "mixed.edi", interchange(*groups))
    manifest = read_paxlst(path, TODAY)
    assert [(p.position, p.where, p.name) for p in manifest.passengers] == [
        (1, "segment 11", "ONE GOOD"),
        (9, "segment 67", "TWO GOOD"),
    ]
    assert manifest.source == str(path)
    assert manifest.errors == (
        PassengerError(2, "segment 18", "field 'birth_date': 2031-01-01 is in the future (segment 20)"),
        PassengerError(3, "segment 25", "field 'document_type': unknown document code 'Z' (segment 29)"),
        PassengerError(4, "segment 32", "field 'nationality': unknown country code 'QQQ' (segment 35)"),
        PassengerError(5, "segment 39", "duplicates passenger 1 (segment 11)"),
        PassengerError(6, "segment 46", "field 'surname': empty"),
        PassengerError(7, "segment 53", "field 'surname': value of 201 characters exceeds the limit of 200"),
        PassengerError(8, "segment 60", "field 'document_country': unknown country code 'XYZ' (segment 66)"),
    )


def test_control_total_that_disagrees_is_noted(tmp_path: Path) -> None:
    path = write(tmp_path, "cnt.edi", interchange(person(), count=2))
    manifest = read_paxlst(path, TODAY)
    assert len(manifest.passengers) == 1
    # CNT is segment 18: HEAD (10) + 7 segments of one person.
    assert manifest.errors == (
        PassengerError(0, "segment 18", "control total CNT says '2' people, the message holds 1"),
    )


def test_not_edifact_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "list.edi", "surname,given_names\nO'Brien,Sean\n")
    assert refused(path, read_paxlst) == (
        f"{path}:segment 1: not an EDIFACT interchange: it must begin with UNA or UNB"
    )


def test_edifact_syntax_error_is_refused_without_traceback(tmp_path: Path) -> None:
    # The last segment has no terminator: pydifact's own error, named with the file and place.
    path = write(tmp_path, "cut.edi", interchange(person()).rsplit("'", 3)[0])
    message = refused(path)
    assert message.startswith(f"{path}:segment 18: cannot read it as EDIFACT (")
    assert "Unexpected end of EDI messages" in message


def test_other_message_type_is_refused(tmp_path: Path) -> None:
    head = [*HEAD]
    head[2] = "UNH+1+CUSRES:D:05B:UN"
    path = write(tmp_path, "cusres.edi", interchange(person(), head=head))
    assert refused(path) == f"{path}:segment 3: not a PAXLST manifest: the message is 'CUSRES'"


def test_message_without_flight_is_refused(tmp_path: Path) -> None:
    head = [s for s in HEAD if not s.startswith("TDT")]
    path = write(tmp_path, "notdt.edi", interchange(person(), head=head))
    assert refused(path) == f"{path}:segment 3: no TDT segment: a PAXLST manifest must name its flight"


def test_messages_naming_different_flights_are_refused(tmp_path: Path) -> None:
    first = interchange(person(name="A:ONE", doc="P+A1"))
    second = [*HEAD[2:5], "TDT+20+LH401", *person(name="B:TWO", doc="P+B2"), "CNT+42:1"]
    text = first.rsplit("UNZ", 1)[0] + "".join(
        f"{s}'\n" for s in [*second, f"UNT+{len(second) + 1}+2", "UNZ+2+42"]
    )
    path = write(tmp_path, "two.edi", text)
    assert (
        refused(path) == f"{path}:segment 23: field 'flight': 'LH401' differs from 'LH400' given on segment 6"
    )


def test_unreadable_flight_time_is_refused(tmp_path: Path) -> None:
    head = [*HEAD]
    head[7] = "DTM+189:2613451030:201"
    path = write(tmp_path, "time.edi", interchange(person(), head=head))
    assert refused(path) == (
        f"{path}:segment 8: field 'departure_time': cannot read '2613451030' as a date and time (YYMMDDHHMM)"
    )


def test_more_people_than_an_airliner_is_refused_whole(tmp_path: Path) -> None:
    groups = [[f"NAD+FL+++P{n}:X", f"DOC+P+N{n}"] for n in range(MAX_PASSENGERS + 1)]
    path = write(tmp_path, "big.edi", interchange(*groups))
    assert (
        refused(path) == f"{path}: 1001 passengers exceed the 1000 one manifest may hold; split it by flight"
    )


def test_oversize_file_is_refused_before_parsing(tmp_path: Path) -> None:
    path = write(tmp_path, "huge.edi", SAMPLE + "X" * MAX_FILE_BYTES)
    size = MAX_FILE_BYTES + len(SAMPLE)
    assert refused(path) == f"{path}: {size:,} bytes exceed the {MAX_FILE_BYTES:,} a manifest file may take"


def test_latin_1_file_declared_unoc_is_read(tmp_path: Path) -> None:
    text = interchange(person(name="MÜLLER:JÜRGEN")).replace("UNOA:4", "UNOC:3")
    path = tmp_path / "latin.edi"
    path.write_bytes(text.encode("latin-1"))
    assert [p.name for p in read_manifest(path, TODAY).passengers] == ["JÜRGEN MÜLLER"]


# CSV in.

CSV = (
    (
        "Surname , Given_Names,birth_date,nationality,gender,document_type,document_number,"
        "document_country,document_expiry,flight,departure,arrival,departure_time,remarks\n"
        "O'Brien,Sean  Patrick,1984-03-02,IE,m,P,pa 123-4567,IRL,2029-01-15,af 1234,cdg,JFK,"
        "2024-07-01T13:30:00+02:00,window\n"
    )
    + """\
Dupont,Marie Claire,2001-06,FRA,F,identity_card,X4RTBPFW4,fr,2020-01-01,AF1234,,,,
,,,,,,,,,,,,,
Müller,Anna,1975,D,X,,C01X00T47,,,,,,,
Nakamura,,,,u,,,,,,,,,
"""
)


def test_csv_manifest(tmp_path: Path) -> None:
    path = write(tmp_path, "af1234.csv", CSV)
    manifest = read_manifest(path, TODAY)
    assert manifest == Manifest(
        str(path),
        "csv",
        Flight("AF1234", "CDG", "JFK", dt.datetime(2024, 7, 1, 11, 30, tzinfo=UTC), None),
        (
            Passenger(
                1,
                "line 2",
                "O'Brien",
                "Sean Patrick",
                "1984-03-02",
                "ie",
                "male",
                (TravelDocument("passport", "PA1234567", "ie", dt.date(2029, 1, 15)),),
            ),
            # An expired document is kept: screening decides what it means.
            Passenger(
                2,
                "line 3",
                "Dupont",
                "Marie Claire",
                "2001-06",
                "fr",
                "female",
                (TravelDocument("identity_card", "X4RTBPFW4", "fr", dt.date(2020, 1, 1)),),
            ),
            Passenger(
                3,
                "line 5",
                "Müller",
                "Anna",
                "1975",
                "de",
                "other",
                (TravelDocument("other", "C01X00T47", None, None),),
            ),
            Passenger(4, "line 6", "Nakamura", "", None, None, None, ()),
        ),
        (),
    )


def test_csv_person_errors(tmp_path: Path) -> None:
    rows = [
        "surname,given_names,birth_date,nationality,gender,document_type,document_number",
        "Good,One,1980-01-01,FR,M,P,G1",
        "Future,Born,2031-01-01,FR,M,P,F1",
        "Future,Year,2027,FR,M,P,F2",
        "Nowhere,Man,1980-01-01,QQ,M,P,N1",
        "Odd,Doc,1980-01-01,FR,M,Z,O1",
        "Good,One,1980-01-01,ES,F,P,G-1",
        "Bad,Date,1980-02-30,FR,M,P,B1",
        "Odd,Gender,1980-01-01,FR,Q,P,Q1",
        f"{'L' * 201},Long,1980-01-01,FR,M,P,L1",
        "Paper,Less,1980-01-01,FR,M,P,",
    ]
    path = write(tmp_path, "errors.csv", "\n".join(rows) + "\n")
    manifest = read_manifest_csv(path, TODAY)
    assert [(p.where, p.name) for p in manifest.passengers] == [("line 2", "One Good")]
    assert manifest.errors == (
        PassengerError(2, "line 3", "field 'birth_date': 2031-01-01 is in the future"),
        PassengerError(3, "line 4", "field 'birth_date': 2027 is in the future"),
        PassengerError(4, "line 5", "field 'nationality': unknown country code 'QQ'"),
        PassengerError(5, "line 6", "field 'document_type': unknown document code 'Z'"),
        PassengerError(6, "line 7", "duplicates passenger 1 (line 2)"),
        PassengerError(
            7, "line 8", "field 'birth_date': cannot read '1980-02-30' as an ISO date (YYYY-MM-DD)"
        ),
        PassengerError(8, "line 9", "field 'gender': unknown gender 'Q'; use M, F, X or U"),
        PassengerError(9, "line 10", "field 'surname': value of 201 characters exceeds the limit of 200"),
        PassengerError(10, "line 11", "field 'document_number': empty"),
    )


def test_csv_without_surname_column_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "names.csv", "name,birth_date\nSean O'Brien,1984-03-02\n")
    assert refused(path) == f"{path}:1: field 'surname': no 'surname' column in the header (name, birth_date)"


def test_csv_conflicting_flight_columns_are_refused(tmp_path: Path) -> None:
    text = "surname,flight,departure\nA,AF1234,CDG\nB,,CDG\nC,AF 1234,\nD,AF1235,CDG\n"
    path = write(tmp_path, "flights.csv", text)
    assert refused(path) == f"{path}:5: field 'flight': 'AF1235' differs from 'AF1234' given on line 2"


def test_csv_unreadable_departure_time_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "time.csv", "surname,departure_time\nA,tomorrow\n")
    assert refused(path) == f"{path}:2: field 'departure_time': cannot read 'tomorrow' as a date and time"


def test_csv_oversize_flight_field_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "long.csv", f"surname,flight\nA,{'9' * 201}\n")
    assert refused(path) == f"{path}:2: field 'flight': value of 201 characters exceeds the limit of 200"


def test_csv_with_more_people_than_an_airliner_is_refused(tmp_path: Path) -> None:
    rows = "".join(f"P{n},X\n" for n in range(MAX_PASSENGERS + 1))
    path = write(tmp_path, "big.csv", "surname,given_names\n" + rows)
    assert (
        refused(path) == f"{path}: 1001 passengers exceed the 1000 one manifest may hold; split it by flight"
    )


def test_empty_csv_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "empty.csv", "")
    assert refused(path) == f"{path}:1: empty file: expected a header with a 'surname' column"


# PAXLST out.


def test_write_paxlst_exact_text() -> None:
    manifest = Manifest(
        "m.csv",
        "csv",
        Flight(
            "AF1234",
            "CDG",
            "",
            dt.datetime(2024, 7, 1, 13, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))),
            None,
        ),
        (
            Passenger(
                1,
                "line 2",
                "O'Brien",
                "Sean: Jr+?",
                "1984",
                "ie",
                "other",
                (TravelDocument("passport", "PA1", "xk", dt.date(2029, 1, 15)),),
            ),
        ),
        (),
    )
    now = dt.datetime(2026, 1, 15, 12, 5, tzinfo=UTC)
    assert write_paxlst(manifest, now=now) == (
        "UNA:+,? '"
        "UNB+UNOA:4+LIAISON+BORDER+260115:1205+2601151205'"
        "UNH+1+PAXLST:D:02B:UN:IATA'"
        "BGM+745'"
        "NAD+MS+++LIAISON'"
        "TDT+20+AF1234'"
        "LOC+125+CDG'"
        "DTM+189:2407011130:201'"
        "NAD+FL+++O?'Brien:Sean?: Jr?+??'"
        "ATT+2++X'"
        "DTM+329:1984:602'"
        "NAT+2+IRL'"
        "DOC+P:110:111+PA1'"
        "DTM+36:20290115:102'"
        "LOC+91+RKS'"
        "CNT+42:1'"
        "UNT+15+1'"
        "UNZ+1+2601151205'"
    )


def test_write_paxlst_non_ascii_names_declare_utf8(tmp_path: Path) -> None:
    manifest = Manifest(
        "m",
        "csv",
        Flight("", "", "", None, None),
        (Passenger(1, "", "Łukasz", "Zoë", None, None, None, ()),),
        (),
    )
    text = write_paxlst(manifest, now=dt.datetime(2026, 1, 15, tzinfo=UTC))
    assert text.startswith("UNA:+,? 'UNB+UNOY:4+")
    back = read_paxlst(write(tmp_path, "utf8.edi", text), TODAY)
    assert [(p.surname, p.given_names) for p in back.passengers] == [("Łukasz", "Zoë")]
    assert back.flight == Flight("", "", "", None, None)


NAME = (
    st.text(alphabet=st.sampled_from(list("ABCXYZabcxyzÉéÖøßŁł '+:?")), min_size=1, max_size=24)
    .map(lambda text: " ".join(text.split()))
    .filter(bool)
)
BIRTH_DATES = st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY).flatmap(
    lambda day: st.sampled_from([day.isoformat(), day.isoformat()[:7], day.isoformat()[:4]])
)
COUNTRIES = st.sampled_from(["fr", "ie", "de", "gb", "ng", "cn", "us", "xk"])
DOCUMENTS = st.builds(
    TravelDocument,
    kind=st.sampled_from(["passport", "identity_card", "visa", "other"]),
    number=st.from_regex(r"[A-Z0-9]{1,12}", fullmatch=True),
    country=st.none() | COUNTRIES,
    expiry=st.none() | st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2060, 12, 31)),
)
PASSENGERS = st.builds(
    Passenger,
    position=st.just(0),
    where=st.just(""),
    surname=NAME,
    given_names=st.just("") | NAME,
    birth_date=st.none() | BIRTH_DATES,
    nationality=st.none() | COUNTRIES,
    gender=st.sampled_from([None, "male", "female", "other"]),
    documents=st.lists(DOCUMENTS, max_size=3).map(tuple),
)
MOMENTS = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2099, 12, 31)).map(
    lambda moment: moment.replace(second=0, microsecond=0, tzinfo=UTC)
)
FLIGHTS = st.builds(
    Flight,
    number=st.from_regex(r"[A-Z0-9]{0,7}", fullmatch=True),
    departure=st.sampled_from(["", "CDG", "JFK", "LHR"]),
    arrival=st.sampled_from(["", "NRT", "LOS"]),
    departs_at=st.none() | MOMENTS,
    arrives_at=st.none() | MOMENTS,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(flight=FLIGHTS, people=st.lists(PASSENGERS, max_size=6, unique_by=lambda p: p.key()))
def test_write_then_read_gives_back_the_same_people(
    tmp_path: Path, flight: Flight, people: list[Passenger]
) -> None:
    passengers = tuple(dataclasses.replace(p, position=n) for n, p in enumerate(people, start=1))
    text = write_paxlst(
        Manifest("in.csv", "csv", flight, passengers, ()), now=dt.datetime(2026, 1, 15, tzinfo=UTC)
    )
    back = read_paxlst(write(tmp_path, "out.edi", text), TODAY)
    assert back.errors == ()
    assert back.flight == flight
    assert [dataclasses.replace(p, where="") for p in back.passengers] == list(passengers)
