"""The OFAC SDN reader against the real 2024 list and the 2021 four-file set.

Strategy: each real list is read once per module (a few seconds) and the tests look rows up by
id, checked against the source text. Broken files are written small in `tmp_path`, one fault each.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from followthemoney.proxy import EntityProxy

from liaison.errors import BadInput, NotFound
from liaison.ingest.ofac import AUTHORITY, read_ofac, split_person_name, split_programs

GOOD_ROW = '2674,"ABBAS, Abu","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 10 Dec 1948."\r\n'


def read_all(path: Path) -> tuple[dict[str, EntityProxy], dict[str, int | str], Counter[str]]:
    entities: dict[str, EntityProxy] = {}
    where: dict[str, int | str] = {}
    schemata: Counter[str] = Counter()
    for record in read_ofac(path):
        assert record.proxy.id is not None
        assert record.proxy.id not in entities, f"duplicate id {record.proxy.id}"
        entities[record.proxy.id] = record.proxy
        where[record.proxy.id] = record.where
        schemata[record.proxy.schema.name] += 1
    return entities, where, schemata


@pytest.fixture(scope="module")
def sdn_2024(shared_data: Path) -> tuple[dict[str, EntityProxy], dict[str, int | str], Counter[str]]:
    return read_all(shared_data / "watchlists" / "ofac_sdn_2024" / "sdn.csv.gz")


@pytest.fixture(scope="module")
def sdn_2021(shared_data: Path) -> dict[str, EntityProxy]:
    return read_all(shared_data / "watchlists" / "ofac_2021")[0]


def test_2024_counts_per_schema(sdn_2024) -> None:
    _, _, schemata = sdn_2024
    assert schemata["Person"] == 6_854
    assert schemata["Organization"] == 6_884
    assert schemata["Vessel"] == 851
    assert schemata["Airplane"] == 376
    assert schemata["Sanction"] == 14_965


def test_2024_every_subject_has_its_sanction(sdn_2024) -> None:
    entities, where, _ = sdn_2024
    for entity_id, proxy in entities.items():
        if proxy.schema.name == "Sanction":
            subject = entities[proxy.first("entity")]
            assert "sanction" in subject.get("topics")
            assert proxy.first("authority") == AUTHORITY
            assert entity_id == f"ofac-sanction-{proxy.first('authorityId')}"
            assert where[entity_id] == where[subject.id]


def test_2024_person_with_day_precision_dob(sdn_2024) -> None:
    entities, where, _ = sdn_2024
    # line 54: 2674,"ABBAS, Abu","individual",...,"DOB 10 Dec 1948; Director of ..."
    person = entities["ofac-2674"]
    assert where["ofac-2674"] == 54
    assert person.schema.name == "Person"
    assert person.get("name") == ["Abu ABBAS"]
    assert person.get("firstName") == ["Abu"]
    assert person.get("lastName") == ["ABBAS"]
    assert person.get("birthDate") == ["1948-12-10"]
    assert person.get("position") == ["Director of PALESTINE LIBERATION FRONT - ABU ABBAS FACTION"]
    assert person.get("notes") == []  # the remark only repeats the Title column


def test_2024_person_with_year_precision_dobs_and_aliases(sdn_2024) -> None:
    entities, _, _ = sdn_2024
    # 6367: "DOB 1951; alt. DOB 1956; alt. DOB 1944; POB Alexandria, Egypt; a.k.a. 'TAYSIR'; ..."
    person = entities["ofac-6367"]
    assert sorted(person.get("birthDate")) == ["1944", "1951", "1956"]
    assert person.get("birthPlace") == ["Alexandria, Egypt"]
    assert person.get("birthCountry") == ["eg"]
    assert set(person.get("alias")) == {"TAYSIR", "ABU HAFS"}


def test_2024_passport_and_title(sdn_2024) -> None:
    entities, _, _ = sdn_2024
    # 2676: "AL ZAWAHIRI, Dr. Ayman" ... "Passport 1084010 (Egypt); alt. Passport 19820215"
    person = entities["ofac-2676"]
    assert person.get("name") == ["Ayman AL ZAWAHIRI"]
    assert person.get("title") == ["Dr."]
    assert set(person.get("passportNumber")) == {"1084010", "19820215"}
    passports = [
        e for e in entities.values() if e.schema.name == "Passport" and e.first("holder") == "ofac-2676"
    ]
    by_number = {p.first("number"): p for p in passports}
    assert set(by_number) == {"1084010", "19820215"}
    assert by_number["1084010"].get("country") == ["eg"]
    assert all(p.id.startswith("ofac-2676-passport-") for p in passports)


def test_2024_organization_alias_and_program(sdn_2024) -> None:
    entities, where, _ = sdn_2024
    bank = entities["ofac-306"]
    assert bank.schema.name == "Organization"
    assert bank.get("alias") == ["BNC"]
    assert where["ofac-306"] == 3
    assert entities["ofac-sanction-306"].get("program") == ["CUBA"]


def test_2024_vessel(sdn_2024) -> None:
    entities, _, _ = sdn_2024
    # 4243,"EBANO","vessel","CUBA",-0- ,-0- ,"General Cargo","2595","1865","Panama",-0- ,
    # "Vessel Registration Identification IMO 7406784; f.k.a. 'ANA I'; f.k.a. 'SAND SWAN'."
    vessel = entities["ofac-4243"]
    assert vessel.schema.name == "Vessel"
    assert vessel.get("imoNumber") == ["IMO7406784"]
    assert vessel.get("type") == ["General Cargo"]
    assert vessel.get("tonnage") == ["2595"]
    assert vessel.get("grossRegisteredTonnage") == ["1865"]
    assert vessel.get("flag") == ["pa"]
    assert set(vessel.get("previousName")) == {"ANA I", "SAND SWAN"}


def test_2024_aircraft(sdn_2024) -> None:
    entities, where, _ = sdn_2024
    plane = entities["ofac-15431"]
    assert where["ofac-15431"] == 2602
    assert plane.schema.name == "Airplane"
    assert plane.get("registrationNumber") == ["EP-GOM"]
    assert plane.get("model") == ["IL76-TD"]
    assert plane.get("serialNumber") == ["1023409321"]
    assert plane.get("buildDate") == ["1992"]
    assert "Aircraft Operator YAS AIR" in plane.get("notes")
    assert "Linked To: POUYA AIR." in plane.get("notes")


def test_2024_aircraft_listed_by_serial_number_and_split_programs(sdn_2024) -> None:
    entities, _, _ = sdn_2024
    # 18150,"MSN 391","aircraft","SDGT] [NPWMD] [IFSR",...,"Aircraft Tail Number EP-MMH; ..."
    plane = entities["ofac-18150"]
    assert plane.get("serialNumber") == ["391"]
    assert plane.get("registrationNumber") == ["EP-MMH"]
    assert set(entities["ofac-sanction-18150"].get("program")) == {"SDGT", "NPWMD", "IFSR"}


def test_2024_crypto_wallets(sdn_2024) -> None:
    entities, _, _ = sdn_2024
    wallets = [
        e for e in entities.values() if e.schema.name == "CryptoWallet" and e.first("holder") == "ofac-25308"
    ]
    keys = {w.first("publicKey") for w in wallets}
    assert "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h" in keys
    assert {w.first("currency") for w in wallets} == {"XBT"}


def test_2021_side_files(sdn_2021) -> None:
    bank = sdn_2021["ofac-306"]
    assert set(bank.get("alias")) == {"BNC", "NATIONAL BANK OF CUBA"}  # remarks + alt.csv
    assert "Zweierstrasse 35, Zurich CH-8022, Switzerland" in bank.get("address")
    assert set(bank.get("country")) == {"ch", "es", "jp", "pa"}
    # alt.csv lists individuals' aliases as 'LAST, First' too
    assert "Ayman AL-ZAWAHIRI" in sdn_2021["ofac-2676"].get("alias")


def test_2021_remarks_continue_in_sdn_comments(sdn_2021) -> None:
    # sdn.csv is cut at "a.k.a. 'snowsjo"; sdn_comments.csv goes on with "hn'; Linked To: LAZARUS GROUP."
    tian = sdn_2021["ofac-28263"]
    assert "snowsjohn" in tian.get("alias")
    assert tian.get("notes") == ["Linked To: LAZARUS GROUP."]
    # cut at "; P", continued with "hone Number 8613314257947; ..."
    li = sdn_2021["ofac-28264"]
    assert "+8613314257947" in li.get("phone")
    assert "khaleesi" in li.get("alias")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ABBAS, Abu", ("Abu ABBAS", "Abu", "ABBAS", "", "")),
        ("AL ZAWAHIRI, Dr. Ayman", ("Ayman AL ZAWAHIRI", "Ayman", "AL ZAWAHIRI", "Dr.", "")),
        ("LAVILLA, Ruben Pestano, Jr.", ("Ruben Pestano LAVILLA", "Ruben Pestano", "LAVILLA", "", "Jr.")),
        ("ABU HAFS", ("ABU HAFS", "", "ABU HAFS", "", "")),
    ],
)
def test_split_person_name(raw: str, expected: tuple[str, ...]) -> None:
    assert split_person_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("CUBA", ["CUBA"]), ("[SDGT] [IRGC]", ["SDGT", "IRGC"]), ("SDGT] [IFSR", ["SDGT", "IFSR"]), ("", [])],
)
def test_split_programs(raw: str, expected: list[str]) -> None:
    assert split_programs(raw) == expected


# --- small files written for one behaviour each ---------------------------------------------


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


@pytest.mark.parametrize("ending", ["\r\n\x1a", "\x1a", ""])
def test_eof_character_and_weak_alias(tmp_path: Path, ending: str) -> None:
    write(tmp_path, "SDN.CSV", GOOD_ROW.rstrip() + ending)
    write(
        tmp_path, "alt.csv", '2674,1,"aka","ABU ABBAS","weak"\r\n2674,2,"fka","ZAIDAN, Muhammad",-0- \r\n\x1a'
    )
    entities, _, schemata = read_all(tmp_path)
    assert schemata == Counter({"Person": 1, "Sanction": 1})
    person = entities["ofac-2674"]
    assert person.get("weakAlias") == ["ABU ABBAS"]
    assert person.get("previousName") == ["Muhammad ZAIDAN"]


@pytest.mark.parametrize("encoding", ["latin-1", "utf-16"])
def test_wrong_encoding(tmp_path: Path, encoding: str) -> None:
    path = write(tmp_path, "sdn.csv", (GOOD_ROW + GOOD_ROW.replace("Abu", "Abú")).encode(encoding))
    with pytest.raises(BadInput, match=r"sdn\.csv:\d+: not valid UTF-8 text"):
        list(read_ofac(path))


def test_utf16_without_bom(tmp_path: Path) -> None:
    path = write(tmp_path, "sdn.csv", GOOD_ROW.encode("utf-16-le"))
    with pytest.raises(BadInput, match="UTF-16"):
        list(read_ofac(path))


def test_wrong_column_count(tmp_path: Path) -> None:
    path = write(tmp_path, "sdn.csv", GOOD_ROW + '36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA"\r\n')
    with pytest.raises(
        BadInput, match=r"sdn\.csv:2: field 'Title': missing: the row ends after 4 of its 12 fields"
    ):
        list(read_ofac(path))


def test_wrong_column_count_in_side_file(tmp_path: Path) -> None:
    write(tmp_path, "sdn.csv", GOOD_ROW)
    write(tmp_path, "add.csv", '2674,1,"Gaza"\r\n')
    with pytest.raises(
        BadInput, match=r"add\.csv:1: field 'City/State/Province/Postal Code': missing: .* 3 of its 6"
    ):
        list(read_ofac(tmp_path))


def test_non_numeric_ent_num(tmp_path: Path) -> None:
    path = write(tmp_path, "sdn.csv", GOOD_ROW + GOOD_ROW.replace("2674", "26x4"))
    with pytest.raises(BadInput, match=r"sdn\.csv:2: field 'ent_num': not a number"):
        list(read_ofac(path))


def test_huge_field(tmp_path: Path) -> None:
    path = write(tmp_path, "sdn.csv", GOOD_ROW.replace("DOB 10 Dec 1948.", "x" * 10_000_000))
    with pytest.raises(BadInput, match=r"sdn\.csv:1: malformed CSV: field larger than field limit"):
        list(read_ofac(path))


def test_value_over_limit_after_joining_comments(tmp_path: Path) -> None:
    # Each cell is under the CSV limit, but the remark continued in sdn_comments.csv is not.
    write(tmp_path, "sdn.csv", GOOD_ROW.replace("DOB 10 Dec 1948.", "Linked To: " + "A" * 40_000))
    write(tmp_path, "sdn_comments.csv", f'2674,"{"B" * 40_000}."\r\n')
    with pytest.raises(BadInput, match=r"sdn\.csv:1: field 'notes': value of 80,012 characters exceeds"):
        list(read_ofac(tmp_path))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        list(read_ofac(tmp_path / "sdn.csv"))
    with pytest.raises(NotFound, match=r"no sdn\.csv"):
        list(read_ofac(tmp_path))
