"""Forms of the preparation pages: they parse and type the input, services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.inputs import BoundedIntegerField, IdField, TextField
from core.models import AgendaItem, Sitting
from meeting.proceedings.preparation import RULES, TEMPLATES


class NewSessionForm(forms.Form):
    how = forms.ChoiceField(
        choices=[("copy", _("copy the last session")), *[(k, k) for k in TEMPLATES]]
    )
    number = BoundedIntegerField(min_value=1, max_value=100_000)
    title = TextField(max_length=200)
    starts_on = forms.DateField(input_formats=["%Y-%m-%d"])
    room = TextField(max_length=100, required=False)


class SittingForm(forms.Form):
    kind = forms.ChoiceField(choices=Sitting.Kind.choices)
    group = IdField(required=False)
    title = TextField(max_length=200)
    starts_at = forms.DateTimeField(input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    room = TextField(max_length=100, required=False)
    chair = IdField(required=False)
    clerk = IdField(required=False)


class SittingEditForm(forms.Form):
    title = TextField(max_length=200)
    starts_at = forms.DateTimeField(input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    room = TextField(max_length=100, required=False)
    chair = IdField(required=False)
    clerk = IdField(required=False)


class ItemForm(forms.Form):
    title = TextField(max_length=300)
    description = TextField(required=False)
    presenter = IdField(required=False)
    first_speech_limit_s = BoundedIntegerField(min_value=30, max_value=7200, required=False)
    second_speech_limit_s = BoundedIntegerField(min_value=30, max_value=7200, required=False)
    on_time_up = forms.ChoiceField(choices=AgendaItem.OnTimeUp.choices, required=False)


RULE_LABELS = [
    ("roster_half", _("more than half of all component members")),
    ("roster_two_thirds", _("at least two thirds of all component members")),
    ("present_half", _("more than half of members present")),
    ("cast_half", _("more than half of ballots cast")),
]
assert [k for k, _label in RULE_LABELS] == list(RULES)


class VoteForm(forms.Form):
    question = TextField(max_length=500)
    kind = forms.ChoiceField(choices=[("named", _("named")), ("secret", _("secret"))])
    rule = forms.ChoiceField(choices=[(k, k) for k in RULES])
    duration_s = BoundedIntegerField(min_value=10, max_value=3600, required=False)


class ImportForm(forms.Form):
    file = forms.FileField()
    create_groups = forms.BooleanField(required=False)
    move_groups = forms.BooleanField(required=False)
    dry_run = forms.BooleanField(required=False)


class AuditFilterForm(forms.Form):
    session = IdField(required=False)
    sitting = IdField(required=False)
    actor = TextField(max_length=150, required=False)
    action = TextField(max_length=60, required=False)
    since = forms.DateTimeField(
        required=False, input_formats=["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d"]
    )
    until = forms.DateTimeField(
        required=False, input_formats=["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d"]
    )
