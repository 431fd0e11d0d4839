from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from deploy import health

# The admin site in the house's words, not "Django 管理".
admin.site.site_header = _("Yiting administration")
admin.site.site_title = _("Yiting")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz/details", health.details, name="health-details"),
    path("metrics", health.prometheus, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("docs/", include("docs_store.urls")),
    path("media/", include("media.urls")),
    path("votes/", include("meeting.voting.urls")),
    path("floor/", include("meeting.floor.urls")),
    path("proceedings/", include("meeting.proceedings.urls")),
    path("briefs/", include("meeting.briefs.urls")),
    path("opinions/staff/", include("meeting.opinions.staff_urls")),
    path("opinions/", include("meeting.opinions.urls")),
    path("tls/", include("frontend.tls_urls")),  # the room CA, over plain HTTP too
    path("", include("frontend.urls")),
]
