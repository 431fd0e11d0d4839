"""Forms of the preparation pages: they parse and type the input, services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from meeting.models import AgendaItem, Sitting
from meeting.proceedings.preparation import RULES, TEMPLATES


class NewSessionForm(forms.Form):
    how = forms.ChoiceField(
        choices=[("copy", _("copy the last session")), *[(k, k) for k in TEMPLATES]]
    )
    number = forms.IntegerField(min_value=1)
    title = forms.CharField(max_length=200)
    starts_on = forms.DateField()
    room = forms.CharField(max_length=100, required=False)


class SittingForm(forms.Form):
    kind = forms.ChoiceField(choices=Sitting.Kind.choices)
    group = forms.IntegerField(required=False)
    title = forms.CharField(max_length=200)
    starts_at = forms.DateTimeField(input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    room = forms.CharField(max_length=100, required=False)
    chair = forms.IntegerField(required=False)
    clerk = forms.IntegerField(required=False)


class SittingEditForm(forms.Form):
    title = forms.CharField(max_length=200)
    starts_at = forms.DateTimeField(input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    room = forms.CharField(max_length=100, required=False)
    chair = forms.IntegerField(required=False)
    clerk = forms.IntegerField(required=False)


class ItemForm(forms.Form):
    title = forms.CharField(max_length=300)
    description = forms.CharField(required=False)
    presenter = forms.IntegerField(required=False)
    first_speech_limit_s = forms.IntegerField(min_value=30, max_value=7200, required=False)
    second_speech_limit_s = forms.IntegerField(min_value=30, max_value=7200, required=False)
    on_time_up = forms.ChoiceField(choices=AgendaItem.OnTimeUp.choices, required=False)


RULE_LABELS = [
    ("roster_half", _("more than half of all component members")),
    ("roster_two_thirds", _("at least two thirds of all component members")),
    ("present_half", _("more than half of members present")),
    ("cast_half", _("more than half of ballots cast")),
]
assert [k for k, _label in RULE_LABELS] == list(RULES)


class VoteForm(forms.Form):
    question = forms.CharField(max_length=500)
    kind = forms.ChoiceField(choices=[("named", _("named")), ("secret", _("secret"))])
    rule = forms.ChoiceField(choices=[(k, k) for k in RULES])
    duration_s = forms.IntegerField(required=False)


class ImportForm(forms.Form):
    file = forms.FileField()
    create_groups = forms.BooleanField(required=False)
    move_groups = forms.BooleanField(required=False)
    dry_run = forms.BooleanField(required=False)


class AuditFilterForm(forms.Form):
    session = forms.IntegerField(required=False)
    sitting = forms.IntegerField(required=False)
    actor = forms.CharField(max_length=150, required=False)
    action = forms.CharField(max_length=60, required=False)
    since = forms.DateTimeField(required=False, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d"])
    until = forms.DateTimeField(required=False, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d"])
