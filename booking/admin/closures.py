"""Site closures saved through ``site_closure_save``: a closure that lands on scheduled launches
holds them, notifies their operators and customers and records why, the moment it is saved."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import ngettext

from booking.services.closures import site_closure_save
from vehicles.admin import SiteClosureAdmin as CatalogSiteClosureAdmin
from vehicles.models import SiteClosure

admin.site.unregister(SiteClosure)


@admin.register(SiteClosure)
class SiteClosureAdmin(CatalogSiteClosureAdmin):
    def save_model(self, request, obj, form, change):
        impact = site_closure_save(closure=obj, actor=request.user)
        if impact.affected:
            names = ", ".join(launch.name for launch in impact.affected)
            self.message_user(
                request,
                ngettext(
                    "This closure lands on %(count)d launch, now on hold: %(names)s. "
                    "Its page offers the next feasible window.",
                    "This closure lands on %(count)d launches, now on hold: %(names)s. "
                    "Their pages offer the next feasible window.",
                    len(impact.affected),
                )
                % {"count": len(impact.affected), "names": names},
                messages.WARNING,
            )
