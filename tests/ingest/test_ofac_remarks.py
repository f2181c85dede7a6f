"""Parsing OFAC remarks: tables of real remark texts and what they must yield."""

from __future__ import annotations

import pytest

from liaison.ingest.ofac_remarks import Document, Fact, Wallet, parse_date, parse_dob, parse_remarks


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10 Dec 1948", "1948-12-10"),
        ("Dec 1948", "1948-12"),
        ("1948", "1948"),
        ("31 Feb 1948", None),
        ("10 Foo 1948", None),
        ("21 Jun 1992 in Amman, Jordan", None),
    ],
)
def test_parse_date(text: str, expected: str | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10 Dec 1948", ["1948-12-10"]),
        ("circa 1948", ["1948"]),
        ("1948 to 1950", ["1948", "1949", "1950"]),
        ("circa 1960-1962", ["1960", "1961", "1962"]),
        ("01 Jan 1960 to 31 Dec 1961", ["1960", "1961"]),
        ("01 Mar 1960 to 30 Mar 1960", ["1960-03"]),
        ("1950 to 1948", []),
        ("1900 to 1990", []),
        ("unknown", []),
    ],
)
def test_parse_dob(text: str, expected: list[str]) -> None:
    assert parse_dob(text) == expected


def test_person_remarks() -> None:
    remarks = parse_remarks(
        "DOB 19 Jun 1951; alt. DOB Dec 1950; POB Giza, Egypt; nationality Korea, North; citizen Egypt; "
        "Gender Male; Passport 1084010 (Egypt) issued 18 Jan 1984 expires 17 Jan 1989; "
        "National ID No. 216040 (Yemen); a.k.a. 'ABU ABBAS'; f.k.a. 'OLD NAME'; n.k.a. 'NEW NAME'; "
        "Email Address a@b.com; Phone Number 982188526300; Website www.example.com; "
        "Linked To: HIZBALLAH."
    )
    assert remarks.facts == [
        Fact("birthDate", "1951-06-19", "DOB 19 Jun 1951"),
        Fact("birthDate", "1950-12", "alt. DOB Dec 1950"),
        Fact("birthPlace", "Giza, Egypt", "POB Giza, Egypt"),
        Fact("birthCountry", "eg", "POB Giza, Egypt"),
        Fact("nationality", "Korea, North", "nationality Korea, North"),
        Fact("citizenship", "Egypt", "citizen Egypt"),
        Fact("gender", "Male", "Gender Male"),
        Fact("alias", "ABU ABBAS", "a.k.a. 'ABU ABBAS'"),
        Fact("previousName", "OLD NAME", "f.k.a. 'OLD NAME'"),
        Fact("alias", "NEW NAME", "n.k.a. 'NEW NAME'"),
        Fact("email", "a@b.com", "Email Address a@b.com"),
        Fact("phone", "+982188526300", "Phone Number 982188526300"),
        Fact("website", "www.example.com", "Website www.example.com"),
    ]
    passport, national_id = remarks.documents
    assert passport == Document(
        "passportNumber",
        "Passport",
        "1084010",
        "Egypt",
        "1984-01-18",
        "1989-01-17",
        "Passport 1084010 (Egypt) issued 18 Jan 1984 expires 17 Jan 1989",
    )
    assert (national_id.prop, national_id.number, national_id.country) == ("idNumber", "216040", "Yemen")
    assert remarks.notes == ["Linked To: HIZBALLAH."]


@pytest.mark.parametrize(
    ("remark", "prop", "value"),
    [
        ("Vessel Registration Identification IMO 7406784", "imoNumber", "IMO7406784"),
        ("Identification Number IMO 5342883.", "imoNumber", "IMO5342883"),
        ("MMSI 572469210", "mmsi", "572469210"),
        ("alt. Former Vessel Flag Tanzania", "pastFlags", "Tanzania"),
        ("Vessel Year of Build 1999", "buildDate", "1999"),
        ("Aircraft Manufacture Date Mar 1985", "buildDate", "1985-03"),
        ("Aircraft Model IL76-TD", "model", "IL76-TD"),
        ("Aircraft Manufacturer's Serial Number (MSN) 1023409321", "serialNumber", "1023409321"),
        ("Organization Established Date 1969.", "incorporationDate", "1969"),
        ("Legal Entity Number 253400V1H6ART1UQ0N98 (Russia)", "leiCode", "253400V1H6ART1UQ0N98"),
        ("SWIFT/BIC HAVIGB2L", "swiftBic", "HAVIGB2L"),
        ("Telephone: 0097282851500", "phone", "+97282851500"),
    ],
)
def test_labelled_values(remark: str, prop: str, value: str) -> None:
    assert parse_remarks(remark).facts == [Fact(prop, value, remark)]


@pytest.mark.parametrize(
    ("remark", "prop", "number", "country"),
    [
        ("Identification Number AO 2879097 (Italy) expires 30 Oct 2012", "idNumber", "AO 2879097", "Italy"),
        ("Tax ID No. 100036386 (Serbia)", "taxNumber", "100036386", "Serbia"),
        ("SSN 523-33-8386 (United States)", "socialSecurityNumber", "523-33-8386", "United States"),
        ("Cedula No. 6068015 (Colombia)", "idNumber", "6068015", "Colombia"),
        ("Diplomatic Passport 008827 (Iran) issued 1999.", "passportNumber", "008827", "Iran"),
        (
            "Registration Number HRA 738077 (Stuttgart) (Germany)",
            "registrationNumber",
            "HRA 738077 (Stuttgart)",
            "Germany",
        ),
    ],
)
def test_documents(remark: str, prop: str, number: str, country: str) -> None:
    (document,) = parse_remarks(remark).documents
    assert (document.prop, document.number, document.country) == (prop, number, country)


def test_unreadable_issue_date_keeps_the_number_and_the_remark() -> None:
    remarks = parse_remarks("Passport 123456 issued 21 Jun 1992 in Amman")
    assert [d.number for d in remarks.documents] == ["123456"]
    assert remarks.notes == ["Passport 123456 issued 21 Jun 1992 in Amman"]


def test_wallets_provisions_and_unknown_remarks() -> None:
    remarks = parse_remarks(
        "Digital Currency Address - XBT 1abc; alt. Digital Currency Address - ETH 0x12ab; "
        "Secondary sanctions risk: section 1(b) of Executive Order 13224; BIK (RU) 044030707; "
        "DOB sometime"
    )
    assert remarks.wallets == [
        Wallet("XBT", "1abc", "Digital Currency Address - XBT 1abc"),
        Wallet("ETH", "0x12ab", "alt. Digital Currency Address - ETH 0x12ab"),
    ]
    assert remarks.provisions == ["Secondary sanctions risk: section 1(b) of Executive Order 13224"]
    assert remarks.notes == ["BIK (RU) 044030707", "DOB sometime"]
