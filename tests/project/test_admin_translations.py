"""The operator console in Chinese: every name the admin shows, walked.

The catalog walk reads, with Simplified Chinese active, every model's name, every concrete field's
name and help text and every choice label of the three apps, then every registered ModelAdmin's
actions, column and field titles, list filters, fieldsets and inlines, then every form the admin
declares. Each must be a translatable string that reads differently in Chinese: a name
left in plain English fails here, and so does one marked but missing from the catalog.

The page walk signs a platform administrator in with a Chinese browser and opens every changelist
and the custom admin pages: the action menu, the column titles and the form labels have no
English left.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import get_fields_from_path, label_for_field
from django.contrib.auth.models import User
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise

import booking.admin  # noqa: F401  (registers every ModelAdmin and defines the admin's forms)
import vehicles.admin  # noqa: F401
from booking.models import Invoice, Launch
from tests.factories import UserFactory
from vehicles.models import LaunchSite, MobilePlatform

APPS = ("vehicles", "customers", "booking")
#: Codes that read the same in both languages. Keep it short: a word here is never checked.
SAME_IN_BOTH = {"ID", "URL", "NET", "LTAN", "API"}
_CJK = re.compile(r"[\u3400-\u9fff]")


def _english(text: Any) -> str:
    with translation.override("en-gb"):
        return str(text)


def _chinese(text: Any) -> str:
    with translation.override("zh-hans"):
        return str(text)


def _untranslated(where: str, text: Any) -> list[str]:
    """[where: text] when ``text`` is not a translatable string with a Chinese translation."""
    english = _english(text)
    if english.strip() in SAME_IN_BOTH or not re.search(r"[A-Za-z]", english):
        return []
    if not isinstance(text, Promise):
        return [f"{where}: {english!r} is not marked for translation"]
    if _chinese(text) == english:
        return [f"{where}: {english!r} has no Chinese translation"]
    return []


def _our_models() -> list[Any]:
    return [m for m in apps.get_models() if m._meta.app_label in APPS]


def _model_names(model: Any) -> Iterator[tuple[str, Any]]:
    opts = model._meta
    yield f"{opts.label} verbose_name", opts.verbose_name
    yield f"{opts.label} verbose_name_plural", opts.verbose_name_plural
    for field in opts.get_fields():
        if not getattr(field, "concrete", False):
            continue
        where = f"{opts.label}.{field.name}"
        if not (field.auto_created and field.primary_key):  # Django's own "ID"
            yield where, field.verbose_name
        if field.help_text:
            yield f"{where} help_text", field.help_text
        if where == "customers.UserProfile.language":
            continue  # each language is named in itself, so a reader finds theirs in either
        for value, label in field.flatchoices or []:
            yield f"{where} choice {value!r}", label


@pytest.mark.parametrize("model", _our_models(), ids=lambda m: m._meta.label)
def test_every_model_name_field_and_choice_reads_in_chinese(model):
    missing = [line for where, text in _model_names(model) for line in _untranslated(where, text)]
    assert missing == [], "\n".join(missing)
    # Left to Django, the plural is the translated singular with an "s": "API 令牌s".
    named = model._meta.original_attrs
    assert "verbose_name" in named and "verbose_name_plural" in named, f"{model._meta.label} names its plural"
    assert not _chinese(model._meta.verbose_name_plural).endswith("s")


def test_the_model_walk_catches_a_plain_english_name():
    """The walk itself can fail: a plain string, and a marked one the catalog lacks, are caught."""
    assert _untranslated("x", "fees charged") == ["x: 'fees charged' is not marked for translation"]
    assert _untranslated("x", translation.gettext_lazy("words no catalog has")) == [
        "x: 'words no catalog has' has no Chinese translation"
    ]
    assert _untranslated("x", translation.gettext_lazy("fees charged")) == []
    assert _untranslated("x", "LTAN") == []


def _our_admins() -> list[tuple[Any, admin.ModelAdmin]]:
    return [(m, ma) for m, ma in admin.site._registry.items() if m._meta.app_label in APPS]


def _admin_names(model: Any, model_admin: admin.ModelAdmin) -> Iterator[tuple[str, Any]]:
    name = type(model_admin).__name__
    # The actions as the changelist's menu lists them (the site's, the admin's, each described).
    for _func, action, description in model_admin._get_base_actions():  # type: ignore[attr-defined]
        yield f"{name} action {action}", description
    shown = [*model_admin.list_display, *model_admin.readonly_fields]
    for field in shown:
        if field in ("__str__", "action_checkbox") or not isinstance(field, str):
            continue
        yield f"{name} column {field}", label_for_field(field, model, model_admin)
    for entry in model_admin.list_filter:
        item = entry[1] if isinstance(entry, tuple) else entry
        if inspect.isclass(item) and issubclass(item, admin.SimpleListFilter):
            yield f"{name} filter {item.__name__}", item.title
        elif isinstance(entry, str):
            yield f"{name} filter {entry}", get_fields_from_path(model, entry)[-1].verbose_name
    for title, _options in model_admin.fieldsets or []:
        if title:
            yield f"{name} fieldset", title
    for inline_class in model_admin.inlines:
        inline = inline_class(model, model_admin.admin_site)  # names itself as the page does
        yield f"{name} inline {inline_class.__name__}", inline.verbose_name
        yield f"{name} inline {inline_class.__name__} plural", inline.verbose_name_plural


@pytest.mark.parametrize("entry", _our_admins(), ids=lambda e: type(e[1]).__name__)
def test_every_admin_action_column_filter_and_fieldset_reads_in_chinese(entry):
    with translation.override("zh-hans"):
        names = list(_admin_names(*entry))
    missing = [line for where, text in names for line in _untranslated(where, text)]
    # Left to Django, an inline's plural is its translated name with an "s" added.
    missing += [
        f"{where}: {_chinese(text)!r}"
        for where, text in names
        if where.endswith(" plural") and _chinese(text).endswith("s")
    ]
    assert missing == [], "\n".join(missing)


def _admin_forms() -> list[type[forms.BaseForm]]:
    found: list[type[forms.BaseForm]] = []
    stack: list[type[forms.BaseForm]] = [forms.Form, forms.ModelForm]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            stack.append(sub)
            if sub.__module__.startswith(("booking.admin", "vehicles.admin")) and sub not in found:
                found.append(sub)
    return sorted(found, key=lambda f: f"{f.__module__}.{f.__name__}")


def _form_names(form_class: type[forms.BaseForm]) -> Iterator[tuple[str, Any]]:
    for name, field in form_class.base_fields.items():  # type: ignore[attr-defined]
        where = f"{form_class.__name__}.{name}"
        if isinstance(field.widget, forms.HiddenInput):
            continue
        # An unlabelled field is titled from its name by the form: plain English.
        yield where, field.label if field.label is not None else name.replace("_", " ").capitalize()
        if field.help_text:
            yield f"{where} help_text", field.help_text
        if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            for value, label in field.choices:  # type: ignore[union-attr,misc]
                if value not in ("", None):
                    yield f"{where} choice {value!r}", label


def test_the_admin_declares_its_forms_where_the_walk_finds_them():
    names = {f.__name__ for f in _admin_forms()}
    assert {"SlipForm", "ScrubForm", "ScheduleForm", "RebookForm", "StepNoteForm"} <= names


@pytest.mark.parametrize("form_class", _admin_forms(), ids=lambda f: f.__name__)
def test_every_admin_form_label_help_text_and_choice_reads_in_chinese(form_class):
    missing = [line for where, text in _form_names(form_class) for line in _untranslated(where, text)]
    assert missing == [], "\n".join(missing)


# --- the pages, in a Chinese browser -------------------------------------------------------------


class _Words(HTMLParser):
    """The texts a reader of an admin page sees in its menus and titles."""

    def __init__(self) -> None:
        super().__init__()
        self.options: list[str] = []  # the action menu
        self.columns: list[str] = []  # the changelist's column titles (its result table's)
        self.labels: list[str] = []  # form labels
        self.headings: list[str] = []
        self._into: list[str] | None = None
        self._in_action = False
        self._in_results = False
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "select" and attr.get("name") == "action":
            self._in_action = True
        if tag == "table" and attr.get("id") == "result_list":
            self._in_results = True
        if tag == "option" and self._in_action:
            self._into, self._text = self.options, ""
        elif tag == "th" and self._in_results and attr.get("scope") == "col":
            self._into, self._text = self.columns, ""
        elif tag == "label":
            self._into, self._text = self.labels, ""
        elif tag in ("h1", "h2"):
            self._into, self._text = self.headings, ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._in_action = False
        if tag == "table":
            self._in_results = False
        if tag in ("option", "th", "label", "h1", "h2") and self._into is not None:
            text = " ".join(self._text.split()).rstrip(":：")
            if text:
                self._into.append(text)
            self._into = None

    def handle_data(self, data: str) -> None:
        if self._into is not None:
            self._text += data


def _english_left(texts: list[str]) -> list[str]:
    """The texts with letters and no Chinese (names of things, like launches, are not checked)."""
    return [t for t in texts if re.search(r"[A-Za-z]{2}", t) and not _CJK.search(t) and t not in SAME_IN_BOTH]


@pytest.fixture
def chinese_admin(client, demo_catalog, db):
    """A platform administrator whose browser asks for Chinese, on the demo catalog (a changelist
    shows its action menu only when it has rows)."""
    user = UserFactory(is_staff=True, is_superuser=True)  # a platform administrator
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    return client


def _request_for(client) -> Any:
    """A request as the signed-in administrator (for the admin's own scoped queryset)."""
    request = RequestFactory().get("/admin/")
    request.user = User.objects.get(pk=client.session["_auth_user_id"])
    return request


def _read(client, url: str) -> _Words:
    response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    assert response.headers["Content-Language"] == "zh-hans", url
    words = _Words()
    words.feed(response.content.decode())
    return words


@pytest.mark.parametrize("entry", _our_admins(), ids=lambda e: e[0]._meta.label)
def test_every_changelist_reads_in_chinese(chinese_admin, entry):
    opts = entry[0]._meta
    words = _read(chinese_admin, reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert _english_left(words.options) == [], "the action menu"
    assert _english_left(words.columns) == [], "the column titles"
    assert _english_left(words.headings) == [], "the headings"


def test_the_page_walk_reads_the_action_menu_of_a_changelist(chinese_admin):
    words = _read(chinese_admin, reverse("admin:booking_launch_changelist"))
    assert "推迟所选发射" in words.options and "取消所选发射" in words.options
    assert _english_left(["Slip the selected launch", "推迟所选发射", "Kuaizhou-1A · 推迟"]) == [
        "Slip the selected launch"
    ]


def _custom_pages() -> list[str]:
    return [
        reverse("admin:index"),
        reverse("admin:booking_readinessplan_board"),
        reverse("admin:booking_launch_fleet"),
        reverse("admin:booking_launch_schedule"),
    ]


@pytest.mark.parametrize("url", _custom_pages())
def test_the_custom_admin_pages_read_in_chinese(chinese_admin, url):
    words = _read(chinese_admin, url)
    assert words.headings, f"{url} has a heading"
    assert _english_left(words.headings) == [], "the headings"
    assert _english_left(words.labels) == [], "the form labels"


def test_the_timelines_read_in_chinese(chinese_admin):
    site = LaunchSite.objects.order_by("pk").first()
    platform = MobilePlatform.objects.order_by("pk").first()
    assert site is not None and platform is not None and Launch.objects.exists()
    for url in [
        reverse("admin:booking_launch_timeline_site", args=[site.pk]),
        reverse("admin:booking_launch_timeline_platform", args=[platform.pk]),
    ]:
        words = _read(chinese_admin, url)
        assert any("排期时间线" in h for h in words.headings), url
        assert _english_left(words.labels) == [], url


@pytest.mark.parametrize("entry", _our_admins(), ids=lambda e: e[0]._meta.label)
def test_every_change_page_reads_in_chinese(chinese_admin, entry):
    """The first row of each list (on the demo catalog), opened: its field labels, fieldset titles
    and inlines' headings."""
    model, model_admin = entry
    row = model_admin.get_queryset(_request_for(chinese_admin)).order_by("pk").first()
    if row is None:
        pytest.skip(f"the demo has no {model._meta.verbose_name}")
    opts = model._meta
    words = _read(chinese_admin, reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk]))
    assert words.labels, "the page shows its fields"
    assert _english_left(words.labels) == [], "the field labels"
    assert _english_left([h for h in words.headings if h != str(row)]) == [], "the headings"


def test_the_action_forms_and_the_payment_form_read_in_chinese(chinese_admin):
    launch = Launch.objects.order_by("pk").first()
    invoice = Invoice.objects.filter(voided_at__isnull=True).order_by("pk").first()
    assert launch is not None and invoice is not None
    changelist = reverse("admin:booking_launch_changelist")
    for action, heading in [("slip_launch", "推迟发射"), ("scrub_launches", "取消发射")]:
        response = chinese_admin.post(changelist, {"action": action, ACTION_CHECKBOX_NAME: [launch.pk]})
        assert response.status_code == 200, action
        words = _Words()
        words.feed(response.content.decode())
        assert heading in words.headings, (action, words.headings)
        assert words.labels and _english_left(words.labels) == [], (action, words.labels)
    words = _read(chinese_admin, reverse("admin:booking_invoice_record_payment", args=[invoice.pk]))
    assert words.labels and _english_left(words.labels) == [], words.labels
