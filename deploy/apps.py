"""The deployment layer as an app: it has no models, only the operator's commands
(``manage.py backup`` / ``restore``), which Django finds in installed apps only."""

from django.apps import AppConfig


class DeployConfig(AppConfig):
    name = "deploy"
    label = "deploy"
    verbose_name = "Deployment"
