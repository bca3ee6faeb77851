"""Who may do what: the one permission rule that the portal, the API and the admin all ask.

A person acts through *hats*: the role of the membership they act for (one organisation at a
time), whether they run a provider's fleet (a provider operator, within that provider) and
whether they run every provider (a platform administrator: a superuser or a member of the
"All providers" group). An action is allowed when any hat is in its row of ``RULES``.

*Which* rows a person reaches is not decided here: the ``get_*_for`` fetchers narrow every read
to the organisation acted for and the operator's providers. This module holds no database
access; front ends build a ``Principal`` from what they have already fetched.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext as _


class Hat(StrEnum):
    # The four membership roles; the values are customers.models.Membership.Role's.
    VIEWER = "viewer"
    MISSION = "mission"
    FINANCE = "finance"
    ADMIN = "admin"
    OPERATOR = "operator"  # a provider's operator, within that provider
    PLATFORM = "platform"  # a platform administrator: every provider, the global reference data
    SIGNED_IN = "signed_in"  # anyone signed in, with or without an organisation
    ANYONE = "anyone"  # not even signed in


ROLES = (Hat.VIEWER, Hat.MISSION, Hat.FINANCE, Hat.ADMIN)

HAT_LABELS = {
    Hat.VIEWER: "a viewer",
    Hat.MISSION: "a mission engineer",
    Hat.FINANCE: "a finance member",
    Hat.ADMIN: "an administrator",
    Hat.OPERATOR: "a provider operator",
    Hat.PLATFORM: "a platform administrator",
    Hat.SIGNED_IN: "a signed-in user",
    Hat.ANYONE: "anyone",
}
HAT_PLURALS = {
    Hat.VIEWER: "viewers",
    Hat.MISSION: "mission engineers",
    Hat.FINANCE: "finance members",
    Hat.ADMIN: "administrators",
    Hat.OPERATOR: "provider operators",
    Hat.PLATFORM: "platform administrators",
    Hat.SIGNED_IN: "signed-in users",
    Hat.ANYONE: "anyone",
}


class Action(StrEnum):
    """Values are identifiers, so templates can ask ``request.can.booking_cancel``."""

    SIGN_IN = "sign_in"
    READ = "read"
    ACCOUNT = "account"
    LANGUAGE = "language"
    TOKEN_OWN = "token_own"
    PAYLOAD_MANAGE = "payload_manage"
    DOCUMENT_UPLOAD = "document_upload"
    QUOTE_CREATE = "quote_create"
    BOOKING_HOLD = "booking_hold"
    BOOKING_REBOOK = "booking_rebook"
    BOOKING_CANCEL = "booking_cancel"
    MOVE_ANSWER = "move_answer"
    EXPRESS_ORDER = "express_order"
    DEDICATED_REQUEST = "dedicated_request"
    DEDICATED_ANSWER = "dedicated_answer"
    STANDBY_JOIN = "standby_join"
    STANDBY_ACCEPT = "standby_accept"
    BOOKING_CONFIRM = "booking_confirm"
    PAYMENT_VIEW = "payment_view"
    PAYMENT_RECORD = "payment_record"
    WEBHOOK_MANAGE = "webhook_manage"
    SECRET_ROTATE = "secret_rotate"
    MEMBER_MANAGE = "member_manage"
    LAUNCH_OPERATE = "launch_operate"
    MANIFEST_PROPOSE = "manifest_propose"
    DOCUMENT_REVIEW = "document_review"
    CONTRACT_DRAFT = "contract_draft"
    CONTRACT_ACTIVATE = "contract_activate"
    REFERENCE_EDIT = "reference_edit"


@dataclass(frozen=True)
class Rule:
    what: str  # for people: "cancel a booking"
    hats: frozenset[Hat]
    refusal: str = ""  # a refusal of its own; default: who may, and who may not


def _rule(what: str, *hats: Hat, refusal: str = "") -> Rule:
    return Rule(what, frozenset(hats), refusal)


V, M, F, A, OP, P = Hat.VIEWER, Hat.MISSION, Hat.FINANCE, Hat.ADMIN, Hat.OPERATOR, Hat.PLATFORM

#: The table: action → the hats that may take it. docs/api.md carries the same table (a test
#: renders it from here and compares).
RULES: dict[Action, Rule] = {
    Action.SIGN_IN: _rule("sign in and exchange a password for an API token", Hat.ANYONE),
    Action.READ: _rule("read the catalog, the schedule and the organisation's rows", Hat.SIGNED_IN),
    Action.ACCOUNT: _rule("change their own settings and the organisation they act for", V, M, F, A),
    # Signed in, the choice is kept with the account; before signing in, with the browser.
    Action.LANGUAGE: _rule("choose the language they read in", Hat.ANYONE),
    # A token acts with its membership's role, so holding one grants nothing more than signing in.
    Action.TOKEN_OWN: _rule("create and revoke their own API tokens", Hat.SIGNED_IN),
    Action.PAYLOAD_MANAGE: _rule("register and change payloads", M, A),
    Action.DOCUMENT_UPLOAD: _rule("upload payload documents", M, A),
    Action.QUOTE_CREATE: _rule("ask for quotes", M, A),
    Action.BOOKING_HOLD: _rule("hold a seat for a quote", M, A),
    Action.BOOKING_REBOOK: _rule("move a booking to another launch", M, A),
    Action.BOOKING_CANCEL: _rule("cancel a booking", M, A),
    Action.MOVE_ANSWER: _rule(
        "accept or decline moves of bookings to other launches, and say whether moves may be offered", M, A
    ),
    Action.EXPRESS_ORDER: _rule("order an express launch", M, A),
    Action.DEDICATED_REQUEST: _rule("request a dedicated launch, and withdraw the request", M, A),
    Action.DEDICATED_ANSWER: _rule(
        "schedule or decline dedicated launch requests their provider can fly",
        OP,
        P,
        refusal="Only the operators of a provider that can fly it schedule or decline a dedicated launch request.",
    ),
    Action.STANDBY_JOIN: _rule("join and leave standby lists, and decline a seat offered from one", M, A),
    # Accepting an offer confirms its booking: the same financial commitment as confirming.
    Action.STANDBY_ACCEPT: _rule("accept a seat offered from a standby list (it confirms the booking)", F, A),
    # Confirming creates the payment milestones: it is a financial commitment.
    Action.BOOKING_CONFIRM: _rule("confirm a booking (it creates payment obligations)", F, A),
    # Invoices carry the contract's money: a customer's finance members and administrators see
    # and download them, mission engineers and viewers do not.
    Action.PAYMENT_VIEW: _rule("see invoices, receipts and payments due and paid", F, A, OP, P),
    # Money received is the provider's to record, against its own invoices.
    Action.PAYMENT_RECORD: _rule(
        "record a payment received against an invoice",
        OP,
        P,
        refusal="Only the provider's operators record payments received against its invoices.",
    ),
    Action.WEBHOOK_MANAGE: _rule("add, change, ping and remove webhook endpoints, and read their secrets", A),
    Action.SECRET_ROTATE: _rule(
        "give webhook endpoints new signing secrets and the calendar a new address", A
    ),
    Action.MEMBER_MANAGE: _rule("manage the organisation's members", A, P),
    Action.LAUNCH_OPERATE: _rule(
        "schedule, plan, slip and scrub their provider's launches",
        OP,
        P,
        refusal="Only a provider's operators can change its launches.",
    ),
    Action.MANIFEST_PROPOSE: _rule(
        "ask for manifest proposals and offer their moves on their provider's launches",
        OP,
        P,
        refusal="Only a provider's operators can propose and offer moves on its launches.",
    ),
    Action.DOCUMENT_REVIEW: _rule("approve or reject documents of their provider's bookings", OP, P),
    # An active contract gives the provider's operators reach into the customer's rows: an
    # operator drafts it, a platform administrator makes it active once the customer signed.
    Action.CONTRACT_DRAFT: _rule("draft their provider's contracts and payment milestones", OP, P),
    Action.CONTRACT_ACTIVATE: _rule(
        "make a contract active, or give it to another customer",
        P,
        refusal="Only a platform administrator makes a contract active, once the customer has signed.",
    ),
    Action.REFERENCE_EDIT: _rule("edit global reference data (exchange rates, sites, closures)", P),
}


@dataclass(frozen=True)
class Principal:
    """The hats of one request: the membership acted for, and the operator standing."""

    role: str | None = None
    operator: bool = False
    platform: bool = False
    signed_in: bool = True

    @property
    def hats(self) -> frozenset[Hat]:
        hats = {Hat.ANYONE}
        if self.signed_in:
            hats.add(Hat.SIGNED_IN)
            if self.role:
                hats.add(Hat(self.role))
            if self.operator or self.platform:
                hats.add(Hat.OPERATOR)
            if self.platform:
                hats.add(Hat.PLATFORM)
        return frozenset(hats)


def principal(*, role: str | None, provider_ids: Iterable[int] | None, signed_in: bool = True) -> Principal:
    """A principal from the membership's role and ``operator_provider_ids`` (``None``: every provider)."""
    if provider_ids is None:
        return Principal(role=role, operator=True, platform=True, signed_in=signed_in)
    return Principal(role=role, operator=bool(set(provider_ids)), signed_in=signed_in)


def _as_principal(who: Principal | str | Any | None) -> Principal:
    if isinstance(who, Principal):
        return who
    if who is None:
        return Principal(signed_in=False)
    if isinstance(who, str):
        return Principal(role=who)
    return Principal(role=getattr(who, "role", None))  # a Membership


def may(who: Principal | str | Any | None, action: Action | str) -> bool:
    """Whether ``who`` (a Principal, a role, a membership; ``None``: not signed in) may take ``action``."""
    return bool(RULES[Action(action)].hats & _as_principal(who).hats)


def allowed_hats(action: Action | str) -> list[Hat]:
    hats = RULES[Action(action)].hats
    return [hat for hat in Hat if hat in hats]


def refusal(who: Principal | str | Any | None, action: Action | str) -> str:
    """Why ``who`` may not take ``action``: who may, and (in brackets) the hat that may not."""
    rule = RULES[Action(action)]
    current = _as_principal(who)
    if not current.signed_in:
        return _("Sign in to %(what)s.") % {"what": _(rule.what)}
    if rule.refusal:
        return rule.refusal
    able = [HAT_PLURALS[hat] for hat in allowed_hats(action)]
    who_may = able[0] if len(able) == 1 else ", ".join(able[:-1]) + " and " + able[-1]
    if current.role:
        refused = HAT_PLURALS[Hat(current.role)]
    elif current.operator:
        refused = HAT_PLURALS[Hat.PLATFORM if current.platform else Hat.OPERATOR]
    else:
        refused = "users who are not members of a customer organisation"
    return _("Only %(who_may)s may %(what)s (not %(refused)s).") % {
        "who_may": who_may,
        "what": _(rule.what),
        "refused": refused,
    }


def markdown_table() -> str:
    """The table as docs/api.md shows it: one row per action, one column per hat."""
    columns = {
        V: Principal(role=V),
        M: Principal(role=M),
        F: Principal(role=F),
        A: Principal(role=A),
        OP: Principal(operator=True),
        P: Principal(operator=True, platform=True),
    }
    head = "| Action | " + " | ".join(HAT_LABELS[c].split(" ", 1)[1] for c in columns) + " |"
    rule_line = "|---|" + "---|" * len(columns)
    rows = []
    for action, rule in RULES.items():
        cells = ["yes" if may(who, action) else "" for who in columns.values()]
        rows.append(f"| {rule.what} (`{action.value}`) | " + " | ".join(cells) + " |")
    return "\n".join([head, rule_line, *rows])
