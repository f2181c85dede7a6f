"""Observables: one canonical form per value, clear refusals, and the networks around an address."""

from __future__ import annotations

import ipaddress

import pytest
from followthemoney import model
from hypothesis import given
from hypothesis import strategies as st

from liaison.errors import BadInput
from liaison.model.observables import (
    Kind,
    Observable,
    enclosing_networks,
    guess_observable,
    ip_key,
    observables_of,
    parse_observable,
)

SPELLINGS = [
    ("ip", "010.0.0.1 ", None),
    ("ip", "10.0.0.1", "10.0.0.1"),
    ("ip", "10.0.0.77/24", "10.0.0.0/24"),
    ("ip", "2001:DB8:0:0::1", "2001:db8::1"),
    ("domain", "Evil.EXAMPLE.", "evil.example"),
    ("domain", "bücher.example", "xn--bcher-kva.example"),
    ("url", "HTTP://Evil.Example:80/Pay?x=1#top", "http://evil.example/Pay?x=1"),
    ("url", "https://[2001:db8::1]:8443/a", "https://[2001:db8::1]:8443/a"),
    ("email", "Ivan.Petrov@Mail.EXAMPLE", "ivan.petrov@mail.example"),
    ("phone", "+44 20 7946 0000", "+442079460000"),
    ("hash", "D41D8CD98F00B204E9800998ECF8427E", "d41d8cd98f00b204e9800998ecf8427e"),
    ("wallet", " TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE ", "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE"),
]


@pytest.mark.parametrize(("kind", "text", "canonical"), [row for row in SPELLINGS if row[2]])
def test_values_are_read_into_one_canonical_form(kind: str, text: str, canonical: str) -> None:
    assert parse_observable(kind, text) == Observable(Kind(kind), canonical)


@pytest.mark.parametrize(
    ("kind", "text", "says"),
    [
        ("ip", "999.1.1.1", "not an IP address"),
        ("ip", "010.0.0.1", "not an IP address"),
        ("domain", "localhost", "not a domain name"),
        ("domain", "-bad-.example", "not a domain name"),
        ("url", "evil.example/pay", "scheme and host"),
        ("url", "http://evil.example:99999/", "port"),
        ("email", "nobody", "not an e-mail"),
        ("phone", "0207 946 0000", "international form"),
        ("hash", "xyz", "MD5, SHA-1"),
        ("hash", "d41d8cd98f00b204e9800998ecf8427", "MD5, SHA-1"),
        ("wallet", "short", "wallet"),
        ("colour", "red", "unknown kind"),
    ],
)
def test_bad_values_are_refused_with_the_reason(kind: str, text: str, says: str) -> None:
    with pytest.raises(BadInput, match=says):
        parse_observable(kind, text)


def test_bare_values_are_read_as_what_they_plausibly_are() -> None:
    assert guess_observable("185.220.101.4").kind is Kind.IP
    assert guess_observable("evil.example").kind is Kind.DOMAIN
    assert guess_observable("https://evil.example/x").kind is Kind.URL
    assert guess_observable("a@evil.example").kind is Kind.EMAIL
    assert guess_observable("+442079460000").kind is Kind.PHONE
    assert guess_observable("d41d8cd98f00b204e9800998ecf8427e").kind is Kind.HASH
    with pytest.raises(BadInput, match="no IP address"):
        guess_observable("999.1.1.1!")


@given(st.ip_addresses())
def test_an_address_is_canonical_once_read_and_inside_each_enclosing_network(address: object) -> None:
    read = parse_observable("ip", str(address)).value
    assert parse_observable("ip", read).value == read
    for network in enclosing_networks(read):
        assert ipaddress.ip_address(read) in ipaddress.ip_network(network)


@given(st.ip_addresses(v=4), st.ip_addresses(v=4))
def test_ip_keys_sort_as_the_addresses_do(left: ipaddress.IPv4Address, right: ipaddress.IPv4Address) -> None:
    assert (ip_key(str(left)) < ip_key(str(right))) == (left < right)


def test_an_entity_carries_its_contact_and_network_values_but_not_its_source_links() -> None:
    account = model.make_entity("UserAccount")
    account.id = "acct-1"
    account.add("username", "darkmarket_admin")
    account.add("ipAddress", ["185.220.101.4", "2001:db8::1"])
    account.add("email", "Admin@Evil.example")
    account.add("sourceUrl", "https://ofac.example/list")
    wallet = model.make_entity("CryptoWallet")
    wallet.id = "w-1"
    wallet.add("publicKey", "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE")
    company = model.make_entity("Company")
    company.id = "c-1"
    company.add("website", "https://Shop.Evil.example/login")
    assert {str(found) for found in observables_of(account)} == {
        "ip:185.220.101.4",
        "ip:2001:db8::1",
        "email:admin@evil.example",
    }
    assert observables_of(wallet) == {Observable(Kind.WALLET, "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE")}
    assert {str(found) for found in observables_of(company)} == {
        "url:https://shop.evil.example/login",
        "domain:shop.evil.example",
    }
