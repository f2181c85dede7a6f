"""What the API's schema states must be what the server does: its `Allow` headers name every
method of a path, every free string says it takes no NUL, and each rule stated for a field
accepts all that the service accepts (a client following the schema is never refused, and
never told that valid data is invalid)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pycountry
import pytest
from fastapi.testclient import TestClient
from followthemoney import model
from hypothesis import given
from hypothesis import strategies as st

from liaison.api.app import create_app
from liaison.errors import BadInput
from liaison.http.limits import NO_NUL
from liaison.http.stated import COUNTRY, FTM_SCHEMA, HANDLING, PURPOSE, SAYS_SOMETHING, USER_NAME
from liaison.model.handling import Handling
from liaison.model.operation import country_code
from liaison.services.accounts import access
from liaison.settings import Settings


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder: Path = tmp_path_factory.mktemp("stated")
    with TestClient(create_app(Settings(database_url=f"sqlite:///{folder / 'empty.db'}"))) as test_client:
        yield test_client


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("OPTIONS", "/api/v1/agencies", {"GET", "PUT"}),
        ("DELETE", "/api/v1/users", {"GET", "POST"}),
        ("POST", "/api/v1/users/alice/password", {"PUT"}),
        ("OPTIONS", "/api/v1/watches/entity", {"POST"}),  # not /watches/{watch_id}'s DELETE
    ],
)
def test_a_method_not_allowed_names_every_method_the_path_takes(
    client: TestClient, method: str, path: str, allowed: set[str]
) -> None:
    answer = client.request(method, path)
    assert answer.status_code == 405
    assert set(answer.headers["Allow"].split(", ")) - {"HEAD"} == allowed
    assert answer.headers["content-type"] == "application/problem+json"


def test_every_free_string_and_key_of_the_schema_says_it_takes_no_nul(client: TestClient) -> None:
    strings: list[dict[str, Any]] = []
    objects: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "string":
                strings.append(node)
            if node.get("type") == "object":
                objects.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(client.get("/openapi.json").json())
    free = [node for node in strings if not {"pattern", "enum", "const", "format"} & node.keys()]
    assert strings and not free
    assert not [node for node in objects if "propertyNames" not in node]  # keys are strings too
    assert sum(node.get("pattern") == NO_NUL for node in strings) > 100


def test_every_country_stated_is_read_and_every_code_read_is_stated() -> None:
    for code in COUNTRY["enum"]:
        assert country_code(code, "country") in {country.alpha_2.lower() for country in pycountry.countries}
    for country in pycountry.countries:
        assert {country.alpha_2, country.alpha_3, country.alpha_3.lower()} <= set(COUNTRY["enum"])


def test_every_schema_stated_is_an_ftm_schema() -> None:
    assert set(FTM_SCHEMA["enum"]) == set(model.schemata)


@given(st.text(alphabet=st.sampled_from("abcxyz019._-Aé /"), min_size=0, max_size=70))
def test_a_user_name_matches_the_stated_pattern_exactly_when_the_service_takes_it(name: str) -> None:
    stated = re.fullmatch(USER_NAME["pattern"], name) is not None
    try:
        access.check_user_name(name)
    except BadInput:
        taken = False
    else:
        taken = True
    assert stated == taken


@given(st.text(max_size=20))
def test_text_that_says_something_is_what_the_stated_pattern_allows(text: str) -> None:
    stated = re.search(SAYS_SOMETHING["pattern"], text) is not None
    assert stated == (bool(text.strip()) and "\x00" not in text)


_CODES = st.sampled_from(["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED", "WHITE", "AMBER STRICT", "BLUE"])


@given(
    st.tuples(
        st.sampled_from(["", " ", "\t"]),
        st.sampled_from(["", "TLP:", "tlp:", "TLP: ", "TLP"]),
        _CODES,
        st.sampled_from(["", " ", "\n", "x"]),
    ).map(lambda parts: "".join(parts))
    | st.text(max_size=14),
    st.booleans(),
)
def test_a_handling_code_matches_the_stated_pattern_exactly_when_it_is_read(text: str, lower: bool) -> None:
    text = text.lower() if lower else text
    stated = re.search(HANDLING["pattern"], text) is not None
    try:
        Handling.parse(text)
    except ValueError:
        read = False
    else:
        read = True
    assert stated == read


@given(st.text(alphabet=st.sampled_from("ab \t\u3000\x00"), max_size=8))
def test_a_purpose_matches_the_stated_pattern_exactly_when_screening_takes_it(text: str) -> None:
    stated = re.search(PURPOSE["pattern"], text) is not None
    assert stated == (len(text.strip()) >= 3 and "\x00" not in text)


@pytest.mark.parametrize(
    ("path", "method", "where", "field", "rule"),
    [
        ("/api/v1/datasets/{dataset}/entities", "post", "body", "handling", HANDLING),
        ("/api/v1/datasets/{dataset}/entities", "post", "body", "schema", FTM_SCHEMA),
        ("/api/v1/documents", "post", "body", "country", COUNTRY),
        ("/api/v1/screenings", "post", "body", "purpose", PURPOSE),
        ("/api/v1/manifests", "post", "query", "purpose", PURPOSE),
        ("/api/v1/match/{dataset}", "post", "query", "algorithm", {"enum": ["best", "liaison-v1"]}),
    ],
)
def test_the_schema_states_the_rule_on_the_field(
    client: TestClient, path: str, method: str, where: str, field: str, rule: dict[str, Any]
) -> None:
    schema = client.get("/openapi.json").json()
    operation = schema["paths"][path][method]
    if where == "query":
        stated = next(item["schema"] for item in operation["parameters"] if item["name"] == field)
    else:
        reference = next(iter(operation["requestBody"]["content"].values()))["schema"]["$ref"]
        body = schema["components"]["schemas"][reference.rsplit("/", 1)[-1]]
        stated = body["properties"][field]  # on an optional field, beside its anyOf: it holds for strings
    assert {key: stated.get(key) for key in rule} == rule
