"""The web app's words: site/locales/es-PE.json and en.json hold the same keys with the same placeholders, every key
the page and its code use exists, every refusal the retail API can answer has its own words, and none is left unused.

Also runs format.js in Node: amounts typed the Peruvian or the English way reach the API as one decimal.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import handlers
from architectures.retail import STAFF
from handlers.shared.errors import DomainError

SITE = Path(__file__).resolve().parents[1] / "site"
LANGUAGES = ("es-PE", "en")
# keys the code builds from data: an API code, a status, a payment method...
BUILT = ("error.", "field.", "fieldName.", "status.", "payment.", "movement.", "group.", "sales.none")
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def catalogue(language: str) -> dict[str, str | dict[str, str]]:
    loaded: dict[str, str | dict[str, str]] = json.loads((SITE / "locales" / f"{language}.json").read_text("utf-8"))
    return loaded


def texts(entry: str | dict[str, str]) -> list[str]:
    return [entry] if isinstance(entry, str) else list(entry.values())


def page_code() -> str:
    """The app's JavaScript without its comments (which show examples such as t("key"))."""
    paths = [SITE / "app.js", *sorted((SITE / "js").rglob("*.js"))]
    lines = (line for path in paths for line in path.read_text("utf-8").splitlines(keepends=True))
    return "".join(line for line in lines if not line.lstrip().startswith(("//", "*", "/*")))


def used_keys() -> set[str]:
    """Keys named literally: data-i18n, data-i18n-attr, t("..."), UserError("...") and auth.js's Cognito map."""
    html = (SITE / "index.html").read_text("utf-8")
    keys = set(re.findall(r'data-i18n="([^"]+)"', html))
    for attributes in re.findall(r'data-i18n-attr="([^"]+)"', html):
        keys |= {pair.split(":")[1].strip() for pair in attributes.split(",")}
    code = page_code()
    keys |= set(re.findall(r'\bt\(\s*"([^"]+)"', code))
    keys |= set(re.findall(r'UserError\(\s*"([^"]+)"', code))
    keys |= set(re.findall(r'Exception: "([\w.]+)"', code))
    keys |= set(re.findall(r'\?\? "([a-z]+\.\w+)"', code))  # a map's fallback key
    return keys


def retail_error_codes() -> set[str]:
    """The code of every refusal a retail handler can raise, and the shared resolver's own."""
    for module in pkgutil.walk_packages(handlers.__path__, "handlers."):
        if module.name.startswith(("handlers.retail.", "handlers.shared.")) and "migrate" not in module.name:
            importlib.import_module(module.name)
    codes = {"invalid_request", "service_unavailable", "no_such_route", "internal_error"}
    pending: list[type[DomainError]] = [DomainError]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith(("handlers.retail.", "handlers.shared.")):
            codes.add(cls.code)
    return codes - {"refused", "invalid_session"}  # the base class; sessions are the auth flow's, not the app's


def test_both_languages_have_the_same_keys_and_placeholders():
    spanish, english = catalogue("es-PE"), catalogue("en")
    assert spanish.keys() == english.keys()
    for key in spanish:
        assert isinstance(spanish[key], str) == isinstance(english[key], str), key
        if isinstance(spanish[key], dict):
            assert {"one", "other"} <= spanish[key].keys() and {"one", "other"} <= english[key].keys(), key
        places = [{frozenset(PLACEHOLDER.findall(text)) for text in texts(c[key])} for c in (spanish, english)]
        assert places[0] == places[1], f"{key}: the placeholders differ"
        assert all(text.strip() for c in (spanish, english) for text in texts(c[key])), f"{key}: empty"


def test_every_key_the_page_uses_exists_and_every_key_is_used():
    keys = catalogue("en").keys()
    used = used_keys()
    assert used - keys == set(), "used but missing from the catalogues"
    unused = {key for key in keys - used if not key.startswith(BUILT)}
    assert unused == set(), "in the catalogues but used nowhere"


def test_every_refusal_of_the_retail_api_has_its_words():
    keys = catalogue("en").keys()
    codes = retail_error_codes()
    assert {"out_of_stock", "period_not_over", "duplicate_sku", "invalid_request"} <= codes
    assert {code for code in codes if f"error.{code}" not in keys} == set()
    for reason in ("unknown_client", "unknown_product", "product_inactive"):
        assert f"error.sale_refused.{reason}" in keys


def test_every_field_code_the_retail_api_raises_has_its_words():
    source = "\n".join(path.read_text("utf-8") for path in (SITE.parent / "handlers").rglob("*.py"))
    raised = set(re.findall(r'PydanticCustomError\(\s*"(\w+)"', source))
    raised |= set(re.findall(r'_invalid\(\s*"\w+",\s*"(\w+)"', source))  # reports' periods name their code second
    assert {"invalid_ruc", "unknown_time_zone"} <= raised
    keys = catalogue("en").keys()
    assert {code for code in raised if f"field.{code}" not in keys} == set()


def test_data_the_app_shows_in_words_has_them_in_both_languages():
    keys = catalogue("en").keys()
    words = [f"status.{s}" for s in ("COMPLETED", "VOIDED")] + [f"movement.{m}" for m in ("ADJUSTMENT", "SALE", "VOID")]
    words += [f"payment.{m}" for m in ("cash", "card", "transfer")] + [f"group.{g}" for g in STAFF]
    assert [word for word in words if word not in keys] == []


NODE = shutil.which("node")


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed")
@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("9,90", "9.90"),  # the Peruvian way
        ("9.90", "9.90"),
        (" 12,5 ", "12.5"),
        ("1,250", "1250"),  # a lone comma before three digits groups thousands
        ("1.234,50", "1234.50"),
        ("1,234.50", "1234.50"),
        ("1,234,567", "1234567"),
        ("0,18", "0.18"),
        ("abc", "abc"),  # no number: sent as typed, for the API's field error
        ("", ""),
    ],
)
def test_amounts_typed_either_way_reach_the_api_as_one_decimal(typed: str, sent: str):
    script = f"import {{ decimalText }} from './js/format.js'; console.log(JSON.stringify(decimalText({typed!r})));"
    done = subprocess.run([NODE, "--input-type=module", "-e", script], cwd=SITE, capture_output=True, text=True)  # noqa: S603
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == sent
