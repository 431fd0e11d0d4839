"""``/tls/``: the room CA's page and downloads (frontend/tls_views.py).

Included from deploy/urls.py under ``tls/``; served over plain HTTP too (nginx's plain
server routes it, ``SECURE_REDIRECT_EXEMPT`` lets it through), so it needs no login.
"""

from django.urls import path

from frontend import tls_views

urlpatterns = [
    path("", tls_views.page, name="tls"),
    path("ca.pem", tls_views.ca_pem, name="tls-ca-pem"),
    path("ca.crt", tls_views.ca_der, name="tls-ca-crt"),
]
