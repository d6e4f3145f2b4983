from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from complaints.outbound import sms
from config.health import healthz
from staff.dashboards.urls import admin_landing
from staff.views import set_staff_language

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("staff/language/", set_staff_language, name="staff_set_language"),
    # Dashboards (issue 7): /admin/ lands managers and supervisors on their page; both pages
    # live under the admin. Both must come before admin.site.urls.
    path("admin/", admin_landing, name="admin_landing"),
    path("admin/dashboards/", include("staff.dashboards.urls")),
    path("admin/", admin.site.urls),
    path("channels/", include("channels_intake.urls")),
    path("channels/sms/status", sms.delivery_report, name="sms-status"),
    # Public pages (/lapor/, /status/) and the customer app and CTI APIs.
    path("", include("channels_intake.web.urls")),
    path("api/v1/app/", include("channels_intake.mobile.urls")),
    path("api/v1/cti/", include("channels_intake.call_center.urls")),
    # --- Issue 8: staff API, its OpenAPI schema and docs (local static), Open311 ---
    path("api/v1/", include("complaints.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/docs/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("open311/v2/", include("channels_intake.open311.urls")),
    # --- end issue 8 ---
    # --- Issue 6: public outage page (planned outages, active incidents) and the answer page
    # of the restoration check ---
    path("pemadaman/", include("complaints.outage_urls")),
    # --- end issue 6 ---
    # Issue 5: the satisfaction survey linked from the "closed" notice
    # (complaints.notifications.SURVEY_PATH).
    path("survey/", include("complaints.survey_urls")),
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

admin.site.site_header = "Aduan"
admin.site.site_title = "Aduan"
admin.site.index_template = "dashboards/admin_index.html"  # the app list, with dashboard links
