from django.conf.urls.i18n import i18n_patterns  # noqa: F401  (language prefixes not used)
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("docs/", include("docs_store.urls")),
    path("media/", include("media.urls")),
    path("votes/", include("meeting.voting.urls")),
    path("floor/", include("meeting.floor.urls")),
    path("proceedings/", include("meeting.proceedings.urls")),
    path("", include("frontend.urls")),
]
