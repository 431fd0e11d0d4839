from django.contrib.auth import views as auth_views
from django.urls import path

from frontend import accounts, offline, views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password_change/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password_change/done/",
        accounts.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("", views.home, name="home"),
    path("tablet/<int:sitting_id>/", views.tablet, name="tablet"),
    path("tablet/sw.js", offline.service_worker, name="tablet-sw"),
    path("console/", views.console_index, name="console-index"),
    path("console/<int:sitting_id>/", views.console, name="console"),
    path("display/<int:sitting_id>/", views.display, name="display"),
    path("review/", views.review, name="review"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("healthz", views.healthz, name="healthz"),
]
