"""A first responder on a phone, in Chromium: the indicator form in Spanish, the advice with its
reasons, and a fresh form for the next person. (A form sent twice is refused in
tests/trafficking/test_screenings.py.)"""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import Browsing


def test_a_first_responder_screens_on_a_phone_in_spanish(browsing: Browsing) -> None:
    elena = browsing.page("elena", phone=True)
    elena.goto(f"{browsing.server}/app/indicators")
    elena.get_by_role("link", name="Español").click()
    expect(elena.get_by_role("heading", level=1)).to_have_text("Indicadores de trata")
    elena.get_by_label("Granja, fábrica u obra").check()
    elena.get_by_label("País (código ISO, p. ej. es)").fill("es")
    elena.get_by_label("¿Se ha quedado otra persona con su pasaporte o sus documentos de identidad?").check()
    elena.get_by_label(
        "¿Tiene la persona una deuda que debe pagar trabajando y que nunca puede saldar?"
    ).check()
    button = elena.get_by_role("button", name="Obtener consejo")
    box = button.bounding_box()
    assert box is not None and box["width"] <= 400  # fits the phone's screen
    button.click()
    advice = elena.locator("#advice")
    expect(advice).to_contain_text("Derivar a una unidad especializada")
    expect(advice).to_contain_text("Se observó un indicador fuerte de trata junto con otros.")
    expect(elena.locator("#observed li")).to_have_count(2)

    elena.get_by_role("link", name="Evaluar a otra persona").click()
    expect(elena.get_by_role("button", name="Obtener consejo")).to_be_visible()
