"""Operator admin for readiness: templates, plans, the readiness board, and launch status actions.

Every action calls a service (booking.services.readiness / launches); a refusal is shown to the
operator as the service worded it. The launch actions at the bottom (hold, release, lift-off,
outcome) are meant for LaunchAdmin: ``LaunchAdmin.actions += LAUNCH_STATUS_ACTIONS``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME, ActionForm
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from booking.errors import ServiceError
from booking.models import Launch, OwnerRole, PlanStep, ReadinessPlan, ReadinessTemplate, TemplateStep
from booking.selectors.readiness_board import BoardFilter, readiness_board
from booking.services import launches as launch_services
from booking.services import readiness
from booking.services.checks import CHECKS
from booking.workflows import launch_lifecycle
from vehicles.admin_scoping import PlatformAdminEditsOnly, ProviderScopedAdmin
from vehicles.models import LaunchSite, Provider
from vehicles.selectors import operator_provider_ids, providers_for_operator

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class BoardFilterForm(forms.Form):
    """The board's filters; an operator chooses among its own providers only."""

    provider = forms.ModelChoiceField(
        queryset=Provider.objects.none(),
        required=False,
        empty_label=gettext_lazy("All"),
        label=gettext_lazy("Provider"),
    )
    site = forms.ModelChoiceField(
        queryset=LaunchSite.objects.all(),
        required=False,
        empty_label=gettext_lazy("All"),
        label=gettext_lazy("Site"),
    )
    status = forms.ChoiceField(required=False, label=gettext_lazy("Launch status"))
    owner_role = forms.ChoiceField(required=False, label=gettext_lazy("Owner role"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers_for_operator(user)  # type: ignore[attr-defined]
        statuses = [("", _("All active")), *((s.value, s.label) for s in Launch.ACTIVE_STATUSES)]
        self.fields["status"].choices = statuses  # type: ignore[attr-defined]
        self.fields["owner_role"].choices = [("", _("Anyone")), *OwnerRole.choices]  # type: ignore[attr-defined]

    def wanted(self) -> BoardFilter:
        if not self.is_bound or not self.is_valid():
            return BoardFilter()
        data = self.cleaned_data
        return BoardFilter(
            provider_id=data["provider"].pk if data["provider"] else None,
            site_id=data["site"].pk if data["site"] else None,
            launch_status=data["status"],
            owner_role=data["owner_role"],
        )


#: The automatic checks by name, as the template step form offers them.
CHECK_TITLES = {
    "payment_paid": gettext_lazy("payment paid"),
    "documents_approved": gettext_lazy("documents approved"),
    "icd_approved": gettext_lazy("ICD approved"),
    "export_cleared": gettext_lazy("export screening cleared"),
    "platform_on_site": gettext_lazy("platform on site"),
    "vehicle_assigned": gettext_lazy("vehicle assigned"),
    "weather_range": gettext_lazy("weather and range"),
    "mass_within_capacity": gettext_lazy("mass within capacity"),
    "return_mass_within_limit": gettext_lazy("return mass within its limit"),
    "waste_manifested": gettext_lazy("waste manifested"),
    "go_no_go": gettext_lazy("go/no-go poll"),
    "orbit_confirmed": gettext_lazy("orbit confirmed"),
}
CHECK_CHOICES = [("", gettext_lazy("— (manual sign-off)"))] + [
    (name, CHECK_TITLES.get(name, name.replace("_", " "))) for name in sorted(CHECKS)
]


class TemplateStepForm(forms.ModelForm):
    check_name = forms.ChoiceField(choices=CHECK_CHOICES, required=False, label=gettext_lazy("check"))

    class Meta:
        model = TemplateStep
        fields = [
            "position",
            "code",
            "name",
            "offset_minutes",
            "duration_minutes",
            "min_duration_minutes",
            "grace_minutes",
            "owner_role",
            "kind",
            "check_name",
            "blocking",
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        kind, check_name = data.get("kind"), data.get("check_name")
        if kind == TemplateStep.Kind.AUTOMATIC and not check_name:
            self.add_error("check_name", _("An automatic step needs a check to run."))
        if kind == TemplateStep.Kind.MANUAL and check_name:
            self.add_error("check_name", _("A manual step is signed off by a person: leave the check empty."))
        return data


class TemplateStepInline(PlatformAdminEditsOnly, admin.TabularInline):
    model = TemplateStep
    form = TemplateStepForm
    extra = 0
    ordering = ["position"]
    fields = [
        "position",
        "code",
        "name",
        "offset_minutes",
        "duration_minutes",
        "min_duration_minutes",
        "grace_minutes",
        "owner_role",
        "kind",
        "check_name",
        "blocking",
    ]


@admin.register(ReadinessTemplate)
class ReadinessTemplateAdmin(PlatformAdminEditsOnly, admin.ModelAdmin):
    """Templates pace every provider's launches: platform administrators edit them."""

    list_display = ["name", "slug", "service_level", "active", "step_count"]
    list_filter = ["active", "service_level"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [TemplateStepInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReadinessTemplate]:
        return super().get_queryset(request).annotate(step_total=Count("steps"))

    @admin.display(description=gettext_lazy("Steps"), ordering="step_total")
    def step_count(self, template: ReadinessTemplate) -> int:
        return template.step_total  # type: ignore[attr-defined]


_PLAN_STEP_INLINE_FIELDS = (
    "position",
    "name",
    "owner_role",
    "kind",
    "blocking",
    "due_at",
    "status",
    "completed_at",
    "note",
)


class PlanStepInline(admin.TabularInline):
    model = PlanStep
    extra = 0
    ordering = ["position"]
    fields = _PLAN_STEP_INLINE_FIELDS
    readonly_fields = _PLAN_STEP_INLINE_FIELDS
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ReadinessPlan)
class ReadinessPlanAdmin(ProviderScopedAdmin):
    provider_path = "launch__provider_id"
    list_display = ["launch", "launch_status", "template", "status", "created_at", "reconciled_at"]
    list_filter = ["status", "template", "launch__provider"]
    search_fields = ["launch__name"]
    list_select_related = ["launch", "template"]
    readonly_fields = ["launch", "template", "status", "created_at", "reconciled_at"]
    inlines = [PlanStepInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # plans start when a launch is scheduled (readiness.plan_start)

    @admin.display(description=gettext_lazy("Launch status"), ordering="launch__status")
    def launch_status(self, plan: ReadinessPlan) -> str:
        return plan.launch.get_status_display()

    def get_urls(self) -> list:
        board = path(
            "board/",
            self.admin_site.admin_view(self.board_view),
            name="booking_readinessplan_board",
        )
        return [board, *super().get_urls()]

    def board_view(self, request: HttpRequest) -> HttpResponse:
        """All active plans, held and late first: each step a chip in order; a chip opens the
        dialog to sign the step off, waive it or fail it (with a note)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            return self._board_action(request)
        filters = BoardFilterForm(request.GET or None, user=request.user)
        now = timezone.now()
        rows = readiness_board(
            provider_ids=operator_provider_ids(request.user), wanted=filters.wanted(), now=now
        )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Readiness board"),
            "opts": self.model._meta,
            "rows": rows,
            "filters": filters,
            "now": now,
            "held_count": sum(row.held for row in rows),
            "late_count": sum(row.late for row in rows),
            "can_change": self.has_change_permission(request),
            "is_nav_sidebar_enabled": False,  # the board wants the screen's width
        }
        return TemplateResponse(request, "admin/booking/readiness_board.html", context)

    def _board_action(self, request: HttpRequest) -> HttpResponse:
        if not self.has_change_permission(request):
            raise PermissionDenied
        board_url = reverse("admin:booking_readinessplan_board")
        if request.GET:
            board_url += "?" + request.GET.urlencode()  # back to the same filters
        steps = PlanStep.objects.select_related("plan__launch")
        provider_ids = operator_provider_ids(request.user)
        if provider_ids is not None:
            steps = steps.filter(plan__launch__provider_id__in=provider_ids)
        step = steps.filter(pk=request.POST.get("step") or 0).first()
        if step is None:
            messages.error(request, _("That step is not on your board any more."))
            return HttpResponseRedirect(board_url)
        service = {
            "complete": readiness.step_complete,
            "waive": readiness.step_waive,
            "fail": readiness.step_fail,
        }.get(request.POST.get("action", ""))
        if service is None:
            messages.error(request, _("Choose sign off, waive or fail."))
            return HttpResponseRedirect(board_url)
        try:
            service(step=step, actor=request.user, note=request.POST.get("note", ""))
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            step.refresh_from_db()
            messages.success(
                request,
                _("%(launch)s: “%(step)s” is %(status)s.")
                % {
                    "launch": step.plan.launch.name,
                    "step": step.name,
                    "status": step.get_status_display().lower(),
                },
            )
        return HttpResponseRedirect(board_url)


class StepNoteForm(ActionForm):
    note = forms.CharField(
        required=False, max_length=300, label=gettext_lazy("Note (needed to waive or fail)")
    )


def _run_step_service(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[PlanStep], service
) -> None:
    note = request.POST.get("note", "")
    done = 0
    for step in queryset.select_related("plan__launch").order_by("plan__launch__window_start", "position"):
        try:
            service(step=step, actor=request.user, note=note)
            done += 1
        except ServiceError as exc:
            modeladmin.message_user(request, f"{step.plan.launch.name}: {exc.message}", messages.ERROR)
    if done:
        modeladmin.message_user(
            request,
            ngettext("%(count)d step changed.", "%(count)d steps changed.", done) % {"count": done},
            messages.SUCCESS,
        )


@admin.action(description=gettext_lazy("Sign off the selected steps"), permissions=["change"])
def sign_off_steps(modeladmin, request, queryset):
    _run_step_service(modeladmin, request, queryset, readiness.step_complete)


@admin.action(
    description=gettext_lazy("Waive the selected steps (say why in the note)"), permissions=["change"]
)
def waive_steps(modeladmin, request, queryset):
    _run_step_service(modeladmin, request, queryset, readiness.step_waive)


@admin.action(
    description=gettext_lazy("Fail the selected steps (say why in the note)"), permissions=["change"]
)
def fail_steps(modeladmin, request, queryset):
    _run_step_service(modeladmin, request, queryset, readiness.step_fail)


@admin.register(PlanStep)
class PlanStepAdmin(ProviderScopedAdmin):
    """Every plan step; filter on late ones to work the board as a list."""

    provider_path = "plan__launch__provider_id"
    action_form = StepNoteForm
    actions = [sign_off_steps, waive_steps, fail_steps]
    list_display = ["name", "launch", "owner_role", "kind", "blocking", "due_at", "status", "note"]
    list_filter = ["status", "owner_role", "kind", "blocking", "plan__status"]
    search_fields = ["name", "code", "plan__launch__name"]
    list_select_related = ["plan__launch"]
    ordering = ["due_at", "pk"]
    readonly_fields = [field.name for field in PlanStep._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("Launch"), ordering="plan__launch__window_start")
    def launch(self, step: PlanStep) -> Launch:
        return step.plan.launch


# --- launch status actions, for LaunchAdmin --------------------------------------------------


def _launch_service(modeladmin, request, queryset, call, done_words: str) -> None:
    done = 0
    for launch in queryset.order_by("pk"):
        try:
            call(launch)
            done += 1
        except ServiceError as exc:
            modeladmin.message_user(request, exc.message, messages.ERROR)
    if done:
        modeladmin.message_user(
            request,
            ngettext("%(count)d launch %(done)s.", "%(count)d launches %(done)s.", done)
            % {"count": done, "done": done_words},
            messages.SUCCESS,
        )


@admin.action(description=gettext_lazy("Put the selected launches on hold"), permissions=["change"])
def hold_launches(modeladmin, request, queryset):
    """Asks for the reason on an intermediate page, then holds each launch."""
    reason = request.POST.get("reason", "").strip()
    if request.POST.get("confirm") and reason:
        _launch_service(
            modeladmin,
            request,
            queryset,
            lambda launch: launch_services.launch_hold(launch=launch, actor=request.user, reason=reason),
            _("put on hold"),
        )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Why are these launches held?"),
        "opts": modeladmin.model._meta,
        "launches": list(queryset),
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
        "action": "hold_launches",
        "missing_reason": bool(request.POST.get("confirm")),
    }
    return TemplateResponse(request, "admin/booking/launch_hold_reason.html", context)


@admin.action(description=gettext_lazy("Release the selected launches from hold"), permissions=["change"])
def release_launches(modeladmin, request, queryset):
    _launch_service(
        modeladmin,
        request,
        queryset,
        lambda launch: launch_lifecycle.launch_release(launch=launch, actor=request.user),
        _("released"),
    )


@admin.action(
    description=gettext_lazy("Mark the selected launches launched (lift-off)"), permissions=["change"]
)
def mark_launched(modeladmin, request, queryset):
    _launch_service(
        modeladmin,
        request,
        queryset,
        lambda launch: launch_lifecycle.launch_mark_launched(launch=launch, actor=request.user),
        _("marked launched"),
    )


def _outcome_action(outcome: str, description: StrOrPromise):
    @admin.action(description=description, permissions=["change"])
    def record(modeladmin, request, queryset):
        _launch_service(
            modeladmin,
            request,
            queryset,
            lambda launch: launch_lifecycle.launch_record_outcome(
                launch=launch, outcome=outcome, actor=request.user
            ),
            _("recorded as %(outcome)s") % {"outcome": Launch.Status(outcome).label.lower()},
        )

    record.__name__ = f"record_{outcome}"
    return record


record_success = _outcome_action(Launch.Status.SUCCESS, gettext_lazy("Record the outcome: success"))
record_partial_failure = _outcome_action(
    Launch.Status.PARTIAL_FAILURE, gettext_lazy("Record the outcome: partial failure")
)
record_failure = _outcome_action(
    Launch.Status.FAILURE, gettext_lazy("Record the outcome: failure (vehicle lost)")
)

LAUNCH_STATUS_ACTIONS = [
    hold_launches,
    release_launches,
    mark_launched,
    record_success,
    record_partial_failure,
    record_failure,
]
