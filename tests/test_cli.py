"""The CLI end to end on both backends: real lists in, counts out, bad files refused cleanly."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from liaison.cli import app

runner = CliRunner()


class Cli:
    """Runs `liaison` commands against one database, as a user would."""

    def __init__(self, database_url: str) -> None:
        self.env = {"LIAISON_DATABASE_URL": database_url}

    def run(self, *args: str, code: int = 0) -> Result:
        """Run a command, check its exit code and that no traceback was printed."""
        result = runner.invoke(app, list(args), env=self.env)
        assert "Traceback" not in result.output + result.stderr
        assert result.exit_code == code, f"exit {result.exit_code}: {result.output}{result.stderr}"
        return result

    def __call__(self, *args: str, code: int = 0) -> str:
        """Standard output of a command that succeeds, standard error of one that fails."""
        result = self.run(*args, code=code)
        return result.stdout if code == 0 else result.stderr

    def stats(self) -> dict[str, dict[str, object]]:
        data: dict[str, dict[str, dict[str, object]]] = json.loads(self("stats", "--json"))
        return data["datasets"]


@pytest.fixture
def cli(database_url: str) -> Cli:
    runner_cli = Cli(database_url)
    runner_cli("init")
    runner_cli("agency", "add", "NCB-FR", "--name", "INTERPOL NCB Paris", "--country", "FR", "--kind", "ncb")
    return runner_cli


def test_each_real_list_imports_with_the_right_counts(cli: Cli, shared_data: Path) -> None:
    lists = shared_data / "watchlists"
    cli(
        "import",
        "un-xml",
        str(lists / "un/un_consolidated_2026-02-27.xml.gz"),
        "--dataset",
        "un_sc",
        "--agency",
        "NCB-FR",
        "--handling",
        "CLEAR",
    )
    cli("import", "ofac", str(lists / "ofac_sdn_2024/sdn.csv.gz"), "--dataset", "ofac", "--agency", "NCB-FR")
    cli("import", "ofac", str(lists / "ofac_2021"), "--dataset", "ofac_2021", "--agency", "NCB-FR")
    cli("import", "uk", str(lists / "uk"), "--dataset", "uk", "--agency", "NCB-FR")
    stats = cli.stats()
    assert {
        k: v for k, v in stats["un_sc"]["schemata"].items() if k in ("Person", "Organization", "Sanction")
    } == {
        "Person": 730,
        "Organization": 273,
        "Sanction": 1003,
    }
    ofac = stats["ofac"]["schemata"]
    assert (ofac["Person"], ofac["Organization"], ofac["Vessel"], ofac["Airplane"], ofac["Sanction"]) == (
        6854,
        6884,
        851,
        376,
        14965,
    )
    assert stats["ofac_2021"]["schemata"]["Sanction"] == 8976
    uk = stats["uk"]["schemata"]
    assert (uk["Person"], uk["Organization"], uk["Vessel"], uk["Sanction"]) == (3883, 1531, 632, 6046)
    for dataset in stats.values():
        assert dataset["entities"] == sum(dataset["schemata"].values())

    shown = cli("show", "un-sc-6908048")
    assert "TLP:CLEAR" in shown and "NCB-FR" in shown
    listed = cli("datasets")
    assert "un_sc" in listed and "uk" in listed


def test_import_twice_does_not_duplicate(cli: Cli, shared_data: Path) -> None:
    path = str(shared_data / "watchlists/un/un_consolidated_2026-02-27.xml.gz")
    cli("import", "un-xml", path, "--dataset", "un_sc", "--agency", "NCB-FR")
    first = cli.stats()
    cli("import", "un-xml", path, "--dataset", "un_sc", "--agency", "NCB-FR")
    assert cli.stats() == first


def test_export_then_import_round_trips(cli: Cli, shared_data: Path, tmp_path: Path) -> None:
    cli(
        "import",
        "un-xml",
        str(shared_data / "watchlists/un/un_consolidated_2026-02-27.xml.gz"),
        "--dataset",
        "un_sc",
        "--agency",
        "NCB-FR",
    )
    exported = tmp_path / "un.ftm.json"
    cli("export", "ftm", "--dataset", "un_sc", "-o", str(exported))
    cli("import", "ftm", str(exported), "--dataset", "un_copy", "--agency", "NCB-FR")
    again = tmp_path / "again.ftm.json"
    cli("export", "ftm", "--dataset", "un_copy", "-o", str(again))
    assert again.read_bytes() == exported.read_bytes()
    assert len(exported.read_bytes().splitlines()) == cli.stats()["un_sc"]["entities"]


def _truncated(shared: Path, tmp: Path) -> Path:
    data = gzip.decompress((shared / "watchlists/un/un_consolidated_2026-02-27.xml.gz").read_bytes())
    path = tmp / "truncated.xml"
    path.write_bytes(data[: len(data) // 2])
    return path


def _bomb(_shared: Path, tmp: Path) -> Path:
    path = tmp / "bomb.xml"
    entities = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    path.write_text(
        f'<?xml version="1.0"?><!DOCTYPE CONSOLIDATED_LIST [<!ENTITY l0 "lol">{entities}]>'
        "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>&l9;</FIRST_NAME>"
        "</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>"
    )
    return path


def _external(_shared: Path, tmp: Path) -> Path:
    path = tmp / "xxe.xml"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>&e;</FIRST_NAME>"
        "</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>"
    )
    return path


def _latin1_ofac(shared: Path, tmp: Path) -> Path:
    path = tmp / "sdn.csv"
    text = gzip.decompress((shared / "watchlists/ofac_2021/sdn.csv.gz").read_bytes()).decode("utf-8")
    path.write_bytes(
        text.replace("AEROCARIBBEAN AIRLINES", "AÉROCARIBBEAN AIRLINES").encode("latin-1", errors="replace")
    )
    return path


def _huge_ftm(_shared: Path, tmp: Path) -> Path:
    path = tmp / "huge.ftm.json"
    path.write_text(json.dumps({"id": "x", "schema": "Person", "properties": {"name": ["x" * 10_000_000]}}))
    return path


def _unknown_schema(_shared: Path, tmp: Path) -> Path:
    path = tmp / "unknown.ftm.json"
    path.write_text(json.dumps({"id": "x", "schema": "Dragon", "properties": {}}))
    return path


def _bad_date(_shared: Path, tmp: Path) -> Path:
    path = tmp / "date.ftm.json"
    path.write_text(
        json.dumps(
            {"id": "x", "schema": "Person", "properties": {"name": ["A"], "birthDate": ["1970-02-31"]}}
        )
    )
    return path


def _missing(_shared: Path, tmp: Path) -> Path:
    return tmp / "does-not-exist.xml"


BAD_FILES = {
    "truncated UN XML": ("un-xml", _truncated, 3, "truncated.xml:"),
    "entity-expansion bomb": ("un-xml", _bomb, 3, "bomb.xml"),
    "external entity": ("un-xml", _external, 3, "xxe.xml"),
    "wrong encoding": ("ofac", _latin1_ofac, 3, "sdn.csv:1"),
    "10 MB field": ("ftm", _huge_ftm, 3, "huge.ftm.json:1: field 'name'"),
    "unknown schema": ("ftm", _unknown_schema, 3, "unknown.ftm.json:1: field 'schema'"),
    "invalid date": ("ftm", _bad_date, 3, "date.ftm.json:1: field 'birthDate'"),
    "missing file": ("un-xml", _missing, 4, "does-not-exist.xml"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_files_are_refused_cleanly(cli: Cli, shared_data: Path, tmp_path: Path, case: str) -> None:
    kind, make, code, where = BAD_FILES[case]
    cli(
        "import",
        "ftm",
        str(shared_data / "ftm/t1.entities.ftm.json.gz"),
        "--dataset",
        "before",
        "--agency",
        "NCB-FR",
    )
    before = cli.stats()
    message = cli(
        "import", kind, str(make(shared_data, tmp_path)), "--dataset", "bad", "--agency", "NCB-FR", code=code
    )
    assert where in message
    assert len(message.strip().splitlines()) <= 2, message
    assert "root:" not in message and "/etc/passwd" not in message.replace(str(tmp_path), "")
    assert cli.stats() == before
    assert "bad" not in cli("datasets")


def test_csv_missing_mapped_column_is_refused(cli: Cli, tmp_path: Path) -> None:
    fixtures = Path(__file__).parent / "ingest" / "fixtures"
    data = (fixtures / "agency_persons.csv").read_text().splitlines()
    header = data[0].split(",")
    dropped = header.index(header[1])
    broken = tmp_path / "persons.csv"
    broken.write_text(
        "\n".join(",".join(c for i, c in enumerate(line.split(",")) if i != dropped) for line in data) + "\n"
    )
    message = cli(
        "import",
        "csv",
        str(broken),
        "--mapping",
        str(fixtures / "agency_persons.mapping.yml"),
        "--dataset",
        "mine",
        "--agency",
        "NCB-FR",
        code=3,
    )
    assert "persons.csv:1" in message and header[1] in message
    assert cli.stats() == {}


def test_csv_through_mapping_imports(cli: Cli) -> None:
    fixtures = Path(__file__).parent / "ingest" / "fixtures"
    cli("agency", "add", "NCB-ES", "--name", "INTERPOL NCB Madrid", "--country", "ES", "--kind", "ncb")
    cli(
        "import",
        "csv",
        str(fixtures / "agency_persons.csv"),
        "--mapping",
        str(fixtures / "agency_persons.mapping.yml"),
        "--dataset",
        "mine",
        "--agency",
        "NCB-FR",
        "--handling",
        "AMBER",
        "--release",
        "agency:NCB-ES",
    )
    schemata = cli.stats()["mine"]["schemata"]
    assert schemata == {"Person": 12, "Company": 4, "Employment": 10}


def test_unknown_agency_and_handling_are_refused(cli: Cli, shared_data: Path) -> None:
    path = str(shared_data / "ftm/t1.entities.ftm.json.gz")
    assert "not registered" in cli("import", "ftm", path, "--dataset", "x", "--agency", "NOPE", code=4)
    assert "unknown handling code" in cli(
        "import", "ftm", path, "--dataset", "x", "--agency", "NCB-FR", "--handling", "PURPLE", code=3
    )
    assert "no entity with id" in cli("show", "nope", code=4)


def test_commands_before_init_say_what_to_do(tmp_path: Path) -> None:
    fresh = Cli(f"sqlite:///{tmp_path / 'new.db'}")
    assert "liaison init" in fresh("stats", code=7)


def test_bad_database_url_is_reported(tmp_path: Path) -> None:
    assert "unsupported database" in Cli("mysql://x@localhost/y")("stats", code=3)
