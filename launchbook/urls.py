from django.contrib import admin
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from drf_spectacular.views import SpectacularAPIView

from booking.api.docs import api_docs
from launchbook.languages import language_choose

admin.site.site_header = _("Launchbook operations")
admin.site.site_title = "Launchbook"
admin.site.index_title = _("Fleet, schedule and bookings")


def health(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})


urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("health/", health, name="health"),
    path("language/", language_choose, name="language"),
    path("admin/", admin.site.urls),
    path("portal/", include("booking.portal.urls")),
    path("api/v1/", include("booking.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs, name="api-docs"),
]
