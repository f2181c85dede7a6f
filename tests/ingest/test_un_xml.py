"""The UN consolidated list reader, checked against the real list and small hostile files.

The real file is read once per module; every expectation is taken from the XML itself. Bad
inputs are written into tmp_path, the truncated and mis-encoded ones cut from the real file.
"""

from __future__ import annotations

import gzip
import time
from collections import Counter
from itertools import islice
from pathlib import Path

import pytest
from followthemoney.proxy import EntityProxy
from lxml import etree

from liaison.errors import BadInput, NotFound
from liaison.ingest.base import Record
from liaison.ingest.un_xml import read_un_xml

UN_FILE = "watchlists/un/un_consolidated_2026-02-27.xml.gz"
HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n'


@pytest.fixture(scope="module")
def un_path(shared_data: Path) -> Path:
    return shared_data / UN_FILE


@pytest.fixture(scope="module")
def records(un_path: Path) -> list[Record]:
    return list(read_un_xml(un_path))


@pytest.fixture(scope="module")
def by_id(records: list[Record]) -> dict[str, EntityProxy]:
    return {record.proxy.id: record.proxy for record in records}


@pytest.fixture(scope="module")
def source(un_path: Path) -> dict[str, etree._Element]:
    """The listings parsed independently, by DATAID, as the oracle."""
    tree = etree.parse(str(un_path))
    return {el.findtext("DATAID"): el for el in tree.iter("INDIVIDUAL", "ENTITY")}


def listing(dataid: str, name: str, *body: str) -> str:
    """A one-individual list document, for small hand-made inputs."""
    inner = "".join(body)
    return (
        f"{HEADER}<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>{dataid}</DATAID>"
        f"<FIRST_NAME>{name}</FIRST_NAME>{inner}</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>\n"
    )


def test_counts_persons_and_organizations(records: list[Record]) -> None:
    schemata = Counter(record.proxy.schema.name for record in records)
    assert schemata["Person"] == 730
    assert schemata["Organization"] == 273
    assert schemata["Sanction"] == 730 + 273


def test_ids_are_unique_and_stable(records: list[Record], un_path: Path) -> None:
    ids = [record.proxy.id for record in records]
    assert len(ids) == len(set(ids))
    assert ids[:3] == [record.proxy.id for record in islice(read_un_xml(un_path), 3)]
    assert ids[0] == "un-sc-6907993"


def test_where_is_the_line_of_the_listing(records: list[Record], source: dict[str, etree._Element]) -> None:
    for record in records:
        if record.proxy.schema.name in ("Person", "Organization"):
            assert record.where == source[record.proxy.id.removeprefix("un-sc-")].sourceline


def test_listing_is_followed_by_its_sanction_and_documents(records: list[Record]) -> None:
    holder = ""
    for record in records:
        proxy = record.proxy
        if proxy.schema.name in ("Person", "Organization"):
            holder = proxy.id
        elif proxy.schema.name == "Sanction":
            assert proxy.get("entity") == [holder]
        else:
            assert proxy.get("holder") == [holder]


def test_person_names_aliases_and_original_script(by_id: dict[str, EntityProxy]) -> None:
    person = by_id["un-sc-6908704"]  # LYi.023, line 13403
    assert person.schema.name == "Person"
    assert set(person.get("name")) == {"Ahmad Oumar Imhamad al-Fitouri", "احمد عمر امحمد الفيتوري"}
    assert person.get("firstName") == ["Ahmad"]
    assert person.get("secondName") == ["Oumar"]
    # Every alias of this listing has QUALITY Low.
    assert set(person.get("weakAlias")) == {"Al-Dabachi", "Al Ammu", "The Uncle", "Al-Ahwal", "Al Dabbashi"}
    assert person.get("alias") == []
    assert person.get("birthDate") == ["1988-05-07"]
    assert person.get("nationality") == ["ly"]
    assert person.get("topics") == ["sanction"]
    assert set(person.get("address")) == {"Garabulli, Libya", "Zawiya, Libya"}


def test_good_aliases_and_year_only_birth(by_id: dict[str, EntityProxy]) -> None:
    person = by_id["un-sc-6907995"]  # GASTON IYAMUREMYE
    assert person.get("weakAlias") == ["Rumuli"]
    assert set(person.get("alias")) == {"Byiringiro Victor Rumuli", "Victor Rumuri", "Michel Byiringiro"}
    assert person.get("birthDate") == ["1948"]
    assert "Musanze District, Northern Province, Rwanda" in person.get("birthPlace")
    assert len(person.get("position")) == 3


def test_gender_and_country_names_become_codes(by_id: dict[str, EntityProxy]) -> None:
    person = by_id["un-sc-6907993"]  # ERIC BADEGE: YEAR 1971, Democratic Republic of the Congo
    assert person.get("birthDate") == ["1971"]
    assert person.get("nationality") == ["cd"]
    assert person.get("country") == ["rw"]
    assert person.get("gender") == ["male"]


def test_between_years_give_each_year(by_id: dict[str, EntityProxy]) -> None:
    assert sorted(by_id["un-sc-6908021"].get("birthDate")) == ["1973", "1974"]


def test_passport_on_person_and_as_entity(by_id: dict[str, EntityProxy]) -> None:
    person = by_id["un-sc-6908704"]
    assert person.get("passportNumber") == ["LY53FP76"]
    assert person.get("idNumber") == ["119880387067"]
    passport = by_id["un-sc-6908704-passport-ly53fp76"]
    assert passport.schema.name == "Passport"
    assert passport.get("holder") == ["un-sc-6908704"]
    assert passport.get("number") == ["LY53FP76"]
    assert passport.get("country") == ["ly"]
    assert passport.get("startDate") == ["2015-09-29"]
    assert passport.get("type") == ["Passport"]
    identification = by_id["un-sc-6908704-identification-119880387067"]
    assert identification.schema.name == "Identification"
    assert identification.get("type") == ["National Identification Number"]


def test_one_document_listed_in_three_languages_is_one_passport(by_id: dict[str, EntityProxy]) -> None:
    passport = by_id["un-sc-690747-passport-381420754"]
    assert set(passport.get("type")) == {"Numéro de passeport", "Número de pasaporte", "Passport"}
    assert not [i for i in by_id if i.startswith("un-sc-690747-") and i != passport.id]


def test_organization_names_and_former_names(by_id: dict[str, EntityProxy]) -> None:
    org = by_id["un-sc-6908402"]  # ADF
    assert org.schema.name == "Organization"
    assert org.get("name") == ["ADF"]
    assert org.get("alias") == ["Allied Democratic Forces"]
    assert "NALU" in org.get("previousName")
    orgs = [p for p in by_id.values() if p.schema.name == "Organization"]
    two = next(p for p in orgs if "GREAT LAKES BUSINESS COMPANY (GLBC)" in p.get("name"))
    assert "COMPAGNIE AERIENNE DES GRANDS LACS (CAGL)" in two.get("name")


def test_every_original_script_name_is_a_name(
    by_id: dict[str, EntityProxy], source: dict[str, etree._Element]
) -> None:
    checked = 0
    for dataid, el in source.items():
        original = el.findtext("NAME_ORIGINAL_SCRIPT")
        if original and original.strip():
            assert " ".join(original.split()) in by_id[f"un-sc-{dataid}"].get("name")
            checked += 1
    assert checked == 336 + 42


def test_one_sanction_per_listing_matches_the_source(
    by_id: dict[str, EntityProxy], source: dict[str, etree._Element]
) -> None:
    for dataid, el in source.items():
        sanction = by_id[f"un-sc-sanction-{dataid}"]
        assert sanction.get("entity") == [f"un-sc-{dataid}"]
        assert sanction.get("authority") == ["United Nations Security Council"]
        assert sanction.get("program") == [el.findtext("UN_LIST_TYPE").strip()]
        assert sanction.get("unscId") == [el.findtext("REFERENCE_NUMBER").strip()]
        # LISTED_ON may carry a time zone ("2015-04-07-04:00"); the date is what FtM keeps.
        assert sanction.get("listingDate") == [el.findtext("LISTED_ON").strip()[:10]]
    sanction = by_id["un-sc-sanction-6908704"]
    assert sanction.get("program") == ["Libya"]
    assert sanction.get("authorityId") == ["LYi.023"]
    assert sanction.get("listingDate") == ["2018-06-07"]
    assert sanction.get("modifiedAt") == ["2020-02-25"]  # the later of two updates


def test_missing_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="does not exist"):
        list(read_un_xml(tmp_path / "absent.xml"))


def test_truncated_file_names_file_line_and_element(tmp_path: Path, un_path: Path) -> None:
    cut = gzip.decompress(un_path.read_bytes())[:1_000_000]
    path = tmp_path / "truncated.xml"
    path.write_bytes(cut)
    last_line = cut.count(b"\n") + 1
    with pytest.raises(BadInput) as caught:
        list(read_un_xml(path))
    message = str(caught.value)
    assert message.startswith(f"{path}:{last_line}: ")
    assert "CONSOLIDATED_LIST/INDIVIDUALS/INDIVIDUAL" in message
    assert "record begun at line" in message


def test_latin1_bytes_in_utf8_file_name_the_line(tmp_path: Path, un_path: Path) -> None:
    raw = gzip.decompress(un_path.read_bytes()).decode("utf-8").encode("latin-1", errors="replace")
    path = tmp_path / "latin1.xml"
    path.write_bytes(raw)
    first_bad = next(i for i, byte in enumerate(raw) if byte >= 0x80)
    line = raw[:first_bad].count(b"\n") + 1
    with pytest.raises(BadInput, match="wrong encoding") as caught:
        list(read_un_xml(path))
    assert str(caught.value).startswith(f"{path}:{line}: ")


def test_utf16_without_declaration_or_bom_is_refused(tmp_path: Path, un_path: Path) -> None:
    body = gzip.decompress(un_path.read_bytes()).decode("utf-8").split("?>", 1)[1].lstrip()
    path = tmp_path / "utf16.xml"
    path.write_bytes(body.encode("utf-16-le"))
    with pytest.raises(BadInput, match=rf"^{path}:\d+: "):
        list(read_un_xml(path))


@pytest.mark.parametrize(
    "declaration",
    ['<!ENTITY xxe SYSTEM "file:///etc/passwd">', '<!ENTITY % xxe SYSTEM "file:///etc/passwd"> %xxe;'],
    ids=["general", "parameter"],
)
def test_external_entity_is_refused_and_never_read(tmp_path: Path, declaration: str) -> None:
    path = tmp_path / "xxe.xml"
    path.write_text(
        f"{HEADER}<!DOCTYPE CONSOLIDATED_LIST [{declaration}]>\n" + listing("1", "&xxe;").removeprefix(HEADER)
    )
    seen: list[Record] = []
    with pytest.raises(BadInput, match="DOCTYPE") as caught:
        seen.extend(read_un_xml(path))
    assert seen == []
    assert "root:" not in str(caught.value)


def test_external_dtd_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "dtd.xml"
    path.write_text(f'{HEADER}<!DOCTYPE CONSOLIDATED_LIST SYSTEM "file:///etc/passwd">\n<CONSOLIDATED_LIST/>')
    with pytest.raises(BadInput, match="DOCTYPE"):
        list(read_un_xml(path))


def test_billion_laughs_is_refused_quickly(tmp_path: Path) -> None:
    entities = ['<!ENTITY lol0 "lol">']
    for i in range(1, 10):
        entities.append(f'<!ENTITY lol{i} "' + f"&lol{i - 1};" * 10 + '">')
    path = tmp_path / "bomb.xml"
    path.write_text(
        f"{HEADER}<!DOCTYPE CONSOLIDATED_LIST [{''.join(entities)}]>\n"
        + listing("1", "&lol9;").removeprefix(HEADER)
    )
    started = time.perf_counter()
    with pytest.raises(BadInput, match="DOCTYPE"):
        list(read_un_xml(path))
    assert time.perf_counter() - started < 1.0


def test_undeclared_entity_is_malformed(tmp_path: Path) -> None:
    path = tmp_path / "entity.xml"
    path.write_text(listing("1", "&xxe;"))
    with pytest.raises(BadInput, match=rf"^{path}:2: .*INDIVIDUAL/FIRST_NAME"):
        list(read_un_xml(path))


def test_other_root_element_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.xml"
    path.write_text(f"{HEADER}<sdnList/>")
    with pytest.raises(BadInput, match="root element is <sdnList>"):
        list(read_un_xml(path))


def test_invalid_listing_date_names_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "date.xml"
    path.write_text(listing("7", "ERIC", "<LISTED_ON>31.12.2012</LISTED_ON>"))
    with pytest.raises(BadInput, match=rf"^{path}:2: field 'listingDate': invalid date"):
        list(read_un_xml(path))


def test_missing_dataid_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "noid.xml"
    path.write_text(listing("", "ERIC"))
    with pytest.raises(BadInput, match="field 'DATAID'"):
        list(read_un_xml(path))


def test_small_listing_maps_notes_and_month_precision(tmp_path: Path) -> None:
    path = tmp_path / "small.xml"
    path.write_text(
        listing(
            "9",
            "ANA",
            "<UN_LIST_TYPE>DRC</UN_LIST_TYPE><COMMENTS1>Gender: female.</COMMENTS1>",
            "<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><NOTE>Nov. 1973 </NOTE>"
            "</INDIVIDUAL_DATE_OF_BIRTH>",
            "<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><YEAR>1958</YEAR><NOTE>Sep.</NOTE>"
            "</INDIVIDUAL_DATE_OF_BIRTH>",
        )
    )
    person, sanction = (record.proxy for record in read_un_xml(path))
    assert person.get("gender") == ["female"]
    assert person.get("notes") == ["Gender: female."]
    assert sorted(person.get("birthDate")) == ["1958-09", "1973-11"]
    assert sanction.get("program") == ["DRC"]
