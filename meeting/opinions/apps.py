from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpinionsConfig(AppConfig):
    """Members' opinions on a draft's articles (审议意见) and speeches tied to articles."""

    name = "meeting.opinions"
    label = "opinions"
    verbose_name = _("Opinions")
