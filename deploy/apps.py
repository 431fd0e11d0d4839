"""The deployment layer as an app: it has no models, only the operator's commands
(``manage.py backup`` / ``restore``), which Django finds in installed apps only."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeployConfig(AppConfig):
    name = "deploy"
    label = "deploy"
    verbose_name = _("Deployment")
