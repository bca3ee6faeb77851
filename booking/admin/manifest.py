"""Manifest proposals: ask the optimiser for a provider's manifest, review its moves (payload,
from, to, why, price and fee), and offer some or all of them to the customers.

The proposal and its moves are written by ``booking.services.manifest`` only: this admin lists
and shows them, and its two buttons call the services (propose, offer), asking the one rule
(``Action.MANIFEST_PROPOSE``) first.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from booking.errors import ServiceError
from booking.models import ManifestMove, ManifestProposal
from booking.rules.permissions import Action
from booking.selectors.manifest.moves import move_money_text, proposal_moves
from booking.services.manifest import manifest_moves_offer, manifest_propose
from vehicles.admin_scoping import ProviderScopedAdmin
from vehicles.models import Provider
from vehicles.selectors import operator_provider_ids

from .rules import admin_may


@admin.register(ManifestProposal)
class ManifestProposalAdmin(ProviderScopedAdmin):
    saves_through_service = True
    list_display = ["__str__", "provider", "trigger", "trigger_launch", "summary", "gap_shown", "created_at"]
    list_filter = ["provider", "trigger"]
    list_select_related = ["provider", "trigger_launch"]
    change_list_template = "admin/booking/manifest_proposals.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the optimiser writes proposals (the "Ask for a proposal" button)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("Optimality gap"))
    def gap_shown(self, proposal: ManifestProposal) -> str:
        return f"{proposal.gap * 100:.2f} %"

    def get_urls(self) -> list:
        return [
            path(
                "propose/",
                self.admin_site.admin_view(self.propose_view),
                name="booking_manifestproposal_propose",
            ),
            path(
                "<int:pk>/review/",
                self.admin_site.admin_view(self.review_view),
                name="booking_manifestproposal_review",
            ),
            *super().get_urls(),
        ]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> Any:
        return HttpResponseRedirect(reverse("admin:booking_manifestproposal_review", args=[object_id]))

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> Any:
        ids = operator_provider_ids(request.user)
        providers = Provider.objects.order_by("name")
        if ids is not None:
            providers = providers.filter(pk__in=ids)
        extra = {"providers": providers, "may_propose": admin_may(request, Action.MANIFEST_PROPOSE)}
        return super().changelist_view(request, extra_context={**(extra_context or {}), **extra})

    def _refuse_unless_allowed(self, request: HttpRequest) -> None:
        if not self.has_view_permission(request) or not admin_may(request, Action.MANIFEST_PROPOSE):
            raise PermissionDenied

    def propose_view(self, request: HttpRequest) -> HttpResponse:
        self._refuse_unless_allowed(request)
        back = reverse("admin:booking_manifestproposal_changelist")
        if request.method != "POST":
            return HttpResponseRedirect(back)
        ids = operator_provider_ids(request.user)
        providers = Provider.objects.all() if ids is None else Provider.objects.filter(pk__in=ids)
        provider = providers.filter(pk=request.POST.get("provider") or 0).first()
        if provider is None:
            messages.error(request, _("Choose one of your providers."))
            return HttpResponseRedirect(back)
        try:
            proposal = manifest_propose(provider=provider, actor=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(back)
        messages.success(request, proposal.summary)
        return HttpResponseRedirect(reverse("admin:booking_manifestproposal_review", args=[proposal.pk]))

    def review_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The proposal's moves; a POST offers the chosen ones (or all) to their customers."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        proposal = get_object_or_404(self.get_queryset(request), pk=pk)
        if request.method == "POST":
            self._refuse_unless_allowed(request)
            return self._offer(request, proposal)
        moves = list(proposal_moves(proposal))
        rows = [{"move": move, "money": move_money_text(move)} for move in moves]
        context = {
            **self.admin_site.each_context(request),
            "title": str(proposal),
            "opts": self.model._meta,
            "proposal": proposal,
            "rows": rows,
            "proposed": sum(1 for move in moves if move.status == ManifestMove.Status.PROPOSED),
            "may_propose": admin_may(request, Action.MANIFEST_PROPOSE),
        }
        return TemplateResponse(request, "admin/booking/manifest_review.html", context)

    def _offer(self, request: HttpRequest, proposal: ManifestProposal) -> HttpResponse:
        back = reverse("admin:booking_manifestproposal_review", args=[proposal.pk])
        everything = request.POST.get("all") == "yes"
        wanted = {int(v) for v in request.POST.getlist("move") if v.isdigit()}
        if not everything and not wanted:
            messages.error(request, _("Tick the moves to offer, or offer them all."))
            return HttpResponseRedirect(back)
        moves = (
            None
            if everything
            else list(proposal.moves.filter(pk__in=wanted, status=ManifestMove.Status.PROPOSED))
        )
        try:
            handled = manifest_moves_offer(proposal=proposal, actor=request.user, moves=moves)
        except ServiceError as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(back)
        offered = [m for m in handled if m.status == ManifestMove.Status.OFFERED]
        refused = [m for m in handled if m.status == ManifestMove.Status.REFUSED]
        messages.success(request, _("%(n)d moves offered to the customers.") % {"n": len(offered)})
        for move in refused:
            messages.warning(request, move.refusal)
        return HttpResponseRedirect(back)
