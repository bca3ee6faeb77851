"""Every word a person reads is marked for translation, and the Chinese catalog translates it.

Every template of the product (the portal with its sign-in and password pages, the operator
admin, the e-mails, the home page, the API's documentation) is read token by token (Django's own lexer): a text node outside
``{% translate %}`` / ``{% blocktranslate %}`` and variables, or a ``title`` / ``aria-label`` /
``placeholder`` / ``alt`` written in plain text, fails unless it is only whitespace, digits,
punctuation and symbols, or a name that is never translated (the product's, a unit's).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.template.base import Lexer, TokenType
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
#: Every app's templates and the project's own (base pages, registration, the admin's header).
TEMPLATE_DIRS = sorted(ROOT.glob("*/templates"))
CATALOG = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"

#: Words that read the same in every language: the product's name, units and standard terms.
NEVER_TRANSLATED = {
    "Launchbook",
    "API",
    "UTC",
    "kg",
    "km",
    "SSO",
    "LTAN",
    "ICS",
    "iCal",
    "CSV",
    "JSON",
    "htmx",
    "ID",
}
READ_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_ATTRIBUTE = re.compile(r"\b(" + "|".join(READ_ATTRIBUTES) + r""")\s*=\s*(["'])(.*?)\2""", re.S)
_HOLE = "\x00"  # where a variable or a tag stood
_BUTTON_INPUT = re.compile(r"""<input\b[^>]*\btype\s*=\s*["']?(submit|button|reset)\b""", re.I | re.S)
_VALUE = re.compile(r"""\bvalue\s*=\s*(["'])(.*?)\1""", re.S)


_ENTITY = re.compile(r"&#?\w+;")


def _reads_as_words(text: str) -> bool:
    words = [w for w in re.split(r"[\s" + _HOLE + r"]+", _ENTITY.sub(" ", text)) if _LETTER.search(w)]
    return any(w.strip(".,:;()[]·—–-/!?\"'") not in NEVER_TRANSLATED for w in words)


class _Scanner:
    """Reads a template's tokens in order; ``found`` collects the unmarked words."""

    def __init__(self) -> None:
        self.found: list[str] = []
        self.text = ""  # the current text node
        self.tag = ""  # the HTML tag being read, with holes for template tokens
        self.in_tag = False
        self.quote = ""
        self.skip_until = ""  # inside <script> or <style>: the closing tag awaited
        self.depth = 0  # inside {% blocktranslate %} or {% comment %}

    def flush(self) -> None:
        if _reads_as_words(self.text):
            self.found.append(" ".join(self.text.split()))
        self.text = ""

    def template_token(self, token) -> None:
        words = token.contents.split()
        name = words[0] if words else ""
        if token.token_type == TokenType.BLOCK and name in {"blocktranslate", "blocktrans", "comment"}:
            self.depth += 1
        elif token.token_type == TokenType.BLOCK and name in {
            "endblocktranslate",
            "endblocktrans",
            "endcomment",
        }:
            self.depth -= 1
        if self.in_tag:
            self.tag += _HOLE
        elif not self.skip_until and token.token_type != TokenType.COMMENT:
            self.text += _HOLE
            self.flush()

    def tag_closed(self) -> None:
        self.in_tag = False
        for name, _quote, value in _ATTRIBUTE.findall(self.tag):
            if _reads_as_words(value):
                self.found.append(f'{name}="{value}"')
        if _BUTTON_INPUT.match(self.tag):  # a button's value is its caption
            for _quote, value in _VALUE.findall(self.tag):
                if _reads_as_words(value):
                    self.found.append(f'value="{value}"')
        opened = re.match(r"<(script|style)\b", self.tag, re.I)
        self.skip_until = f"</{opened[1].lower()}>" if opened else ""
        self.tag = ""

    def char(self, char: str) -> None:
        if self.skip_until:
            self.tag += char
            if self.tag.lower().endswith(self.skip_until):
                self.skip_until, self.tag = "", ""
        elif not self.in_tag:
            if char == "<":
                self.flush()
                self.in_tag, self.tag = True, "<"
            else:
                self.text += char
        else:
            self.tag += char
            if self.quote:
                self.quote = "" if char == self.quote else self.quote
            elif char in "\"'":
                self.quote = char
            elif char == ">":
                self.tag_closed()


def unmarked_strings(source: str) -> list[str]:
    """The words of one template that are not marked for translation."""
    scanner = _Scanner()
    for token in Lexer(source).tokenize():
        if token.token_type != TokenType.TEXT or scanner.depth:
            scanner.template_token(token)
            continue
        for char in token.contents:
            scanner.char(char)
    scanner.flush()
    return scanner.found


def _product_templates() -> list[Path]:
    return sorted(p for d in TEMPLATE_DIRS for p in d.rglob("*") if p.suffix in {".html", ".txt"})


def test_the_walk_reads_every_kind_of_template():
    read = {str(p.relative_to(ROOT)) for p in _product_templates()}
    for expected in [
        "booking/templates/portal/dashboard.html",
        "booking/templates/admin/booking/launch/schedule.html",
        "booking/templates/email/booking_confirmed.txt",
        "booking/templates/portal/email/password_reset.txt",
        "booking/templates/booking/api_docs.html",
        "launchbook/templates/home.html",
        "launchbook/templates/admin/base_site.html",
    ]:
        assert expected in read, f"{expected} is not read by the template walk"


def test_the_scanner_finds_plain_words_and_passes_marked_ones():
    source = (
        '{% load i18n %}<h1>{% translate "Bookings" %}</h1><p>Plain words</p>'
        '<a title="Your account">{{ user }}</a> · 520 kg — {% blocktranslate %}Held {{ n }}{% endblocktranslate %}'
        "<script>var words = 'not read';</script><option{% if x %} selected{% endif %}>Launchbook</option>"
        '<input type="submit" value="Rebook"><input type="submit" value="{% translate "Save" %}">'
        '<input type="hidden" name="step" value="plain data">'
    )
    assert unmarked_strings(source) == ["Plain words", 'title="Your account"', 'value="Rebook"']


@pytest.mark.parametrize("path", _product_templates(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_template_marks_its_words_for_translation(path):
    assert unmarked_strings(path.read_text()) == [], (
        f"{path.relative_to(ROOT)}: wrap these in {{% translate %}} or {{% blocktranslate %}}"
    )


def _catalog_entries() -> list[tuple[str, list[str], bool]]:
    """(msgid, msgstrs, fuzzy) for each entry of the zh-hans catalog but the header."""
    entries = []
    for block in CATALOG.read_text().split("\n\n"):
        lines = [line for line in block.splitlines() if line.strip()]
        if not lines or all(line.startswith("#") for line in lines):
            continue
        if any(line.startswith("#~") for line in lines):
            continue  # an obsolete entry
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        fields: dict[str, str] = {}
        key = ""
        for line in lines:
            if line.startswith("#"):
                continue
            match = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d+\])?|msgctxt) "(.*)"$', line)
            if match:
                key = match[1]
                fields[key] = match[2]
            elif line.startswith('"'):
                fields[key] += line[1:-1]
        if fields.get("msgid", "") == "":
            continue
        entries.append((fields["msgid"], [v for k, v in fields.items() if k.startswith("msgstr")], fuzzy))
    return entries


def test_the_chinese_catalog_translates_every_marked_string():
    entries = _catalog_entries()
    assert len(entries) > 100
    untranslated = [msgid for msgid, strs, _fuzzy in entries if not all(strs)]
    fuzzy = [msgid for msgid, _strs, is_fuzzy in entries if is_fuzzy]
    assert untranslated == [], f"{len(untranslated)} strings have no Chinese: {untranslated[:20]}"
    assert fuzzy == [], f"{len(fuzzy)} translations are marked fuzzy (unchecked): {fuzzy[:20]}"


def test_every_translation_keeps_the_placeholders_of_its_message():
    def placeholders(text: str) -> list[str]:
        return sorted(set(re.findall(r"%\((\w+)\)", text)))

    wrong = [
        msgid
        for msgid, strs, _fuzzy in _catalog_entries()
        if any(placeholders(s) != placeholders(msgid) for s in strs if s)
    ]
    assert wrong == [], f"translations that lose or invent a placeholder: {wrong}"


def test_the_compiled_catalog_answers_in_chinese():
    with translation.override("zh-hans"):
        assert translation.gettext("Bookings") != "Bookings"
    with translation.override("en-gb"):
        assert translation.gettext("Bookings") == "Bookings"


#: The product's own Python code: the apps and the project package, without tests and migrations.
PRODUCT_PACKAGES = ("booking", "customers", "vehicles", "launchbook")
_EAGER = {"gettext", "ngettext", "pgettext"}


def eager_translations(source: str) -> list[str]:
    """The calls of gettext (imported under any name) that run when the module is imported, not
    when a page is drawn: a model's or an admin's name, a list of choices, a decorator's
    description. They are read in the language of no one (English) and stay so."""
    tree = ast.parse(source)
    eager_names = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation"
        for alias in node.names
        if alias.name in _EAGER
    }
    found: list[str] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in node.decorator_list:
                visit(decorator, in_function)
            for default in [*node.args.defaults, *node.args.kw_defaults]:
                if default is not None:
                    visit(default, in_function)
            for statement in node.body:
                visit(statement, True)
            return
        if isinstance(node, ast.Lambda):
            return
        if (
            not in_function
            and isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in eager_names
        ):
            found.append(f"line {node.lineno}: {ast.unparse(node)[:80]}")
        for child in ast.iter_child_nodes(node):
            visit(child, in_function)

    visit(tree, False)
    return found


def _product_modules() -> list[Path]:
    return sorted(
        p
        for package in PRODUCT_PACKAGES
        for p in (ROOT / package).rglob("*.py")
        if "migrations" not in p.parts and ".venv" not in p.parts
    )


def test_the_import_time_walk_finds_an_eager_gettext():
    source = (
        "from django.utils.translation import gettext as _, gettext_lazy\n"
        "TITLE = _('Bookings')\n"
        "LAZY = gettext_lazy('Bookings')\n"
        "class A:\n"
        "    @display(description=_('Steps'))\n"
        "    def steps(self):\n"
        "        return _('now')\n"
    )
    assert eager_translations(source) == ["line 2: _('Bookings')", "line 5: _('Steps')"]


@pytest.mark.parametrize("path", _product_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_string_is_translated_when_its_module_is_imported(path):
    assert eager_translations(path.read_text()) == [], (
        f"{path.relative_to(ROOT)}: use gettext_lazy for strings defined at import time"
    )
