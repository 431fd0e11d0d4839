"""Votes and their audit chains in the admin, read-only, and never a member's choice.

Registered: ``Vote`` (each round with its counted result) and ``AuditEntry`` (the
round's hash chain). Not registered, on purpose:

- ``NamedChoice`` and ``Result.named``: what each member chose. A named vote may show
  choices to the clerk only, or to nobody (``choices_visible``); the admin is no way
  around that. An audit entry of a ballot or a change carries the choices of a named
  vote in its body, so the admin shows no ballot's body.
- ``SecretTally``: the running counts of an open secret round. Shown live beside the
  chain's ballot entries (member and time), an operator who reloads after each ballot
  could tell who chose what; the counts appear in the result once the round is closed.
- ``Ballot``: participation only, already in the chain (and in the result's non-voters).
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from core.adminkit import ReadOnlyAdmin, column, name_model, shown, titled
from meeting.voting.models import AuditEntry, Result, Vote
from meeting.voting.services.audit import verify

ENTRY_KINDS = {
    "open": _("opened"),
    "ballot": _("ballot cast"),
    "change": _("ballot changed"),
    "close": _("closed and counted"),
    "announce": _("announced"),
    "cancel": _("cancelled"),
}
CHOICE_ENTRIES = ("ballot", "change")

name_model(AuditEntry, _("vote audit entry"), _("vote audit chain"))


def _result(vote: Vote) -> Result | None:
    try:
        return vote.result
    except Result.DoesNotExist:
        return None


@admin.register(Vote)
class VoteAdmin(ReadOnlyAdmin):
    list_display = (
        "question_",
        "sitting_",
        "kind_",
        "state_",
        "round_",
        "cast_count_",
        "opened_at_",
        "closed_at_",
        "outcome",
    )
    list_filter = (
        titled("kind", _("kind"), admin.ChoicesFieldListFilter),
        titled("state", _("state"), admin.ChoicesFieldListFilter),
        titled("sitting", _("sitting"), admin.RelatedFieldListFilter),
    )
    search_fields = ("question", "questions__text")
    date_hierarchy = "created_at"
    list_select_related = ("sitting", "result")

    def get_queryset(self, request):
        """The ballots counted in the same query (a round keeps no counter of its own)."""
        return super().get_queryset(request).annotate(ballots_cast=Count("ballots"))

    fields = (
        "question_",
        "sitting_",
        "item_",
        "kind_",
        "state_",
        "round_",
        "choices_visible_",
        "cast_count_",
        "created_at_",
        "opened_at_",
        "closes_at_",
        "closed_at_",
        "announced_at_",
        "cancelled_at_",
        "cancel_reason_",
        "outcome",
        "counts",
        "chain",
    )

    question_ = column("question", _("question"))
    sitting_ = column("sitting", _("sitting"))
    item_ = column("item", _("agenda item"))
    kind_ = column("kind", _("kind"))
    state_ = column("state", _("state"))
    round_ = column("round", _("round"))
    choices_visible_ = column("choices_visible", _("individual choices shown to"))
    cast_count_ = column("ballots_cast", _("ballots cast"))
    created_at_ = column("created_at", _("prepared at"))
    opened_at_ = column("opened_at", _("opened at"))
    closes_at_ = column("closes_at", _("countdown ends at"))
    closed_at_ = column("closed_at", _("closed at"))
    announced_at_ = column("announced_at", _("announced at"))
    cancelled_at_ = column("cancelled_at", _("cancelled at"))
    cancel_reason_ = column("cancel_reason", _("reason for cancelling"))

    @admin.display(description=_("outcome"), ordering="result__passed")
    def outcome(self, vote: Vote) -> str:
        result = _result(vote)
        if result is None:
            return self.get_empty_value_display()
        return str(_("passed") if result.passed else _("not passed"))

    @admin.display(description=_("counted result"))
    def counts(self, vote: Vote):
        """Totals and counts per question and option: never who chose what."""
        result = _result(vote)
        if result is None:
            return self.get_empty_value_display()
        labels = {o["key"]: o.get("label", o["key"]) for o in vote.options}
        return shown(
            {
                str(_("roster")): result.roster_size,
                str(_("present")): result.present,
                str(_("ballots cast")): result.cast,
                str(_("did not vote")): result.did_not_vote,
                str(_("absent")): result.absent,
                str(_("questions")): [
                    {
                        str(_("question")): q.get("text"),
                        str(_("counts")): {
                            labels.get(k, k): n for k, n in (q.get("counts") or {}).items()
                        },
                    }
                    for q in result.questions or []
                ],
            }
        )

    @admin.display(description=_("audit chain"))
    def chain(self, vote: Vote) -> str:
        check = verify(vote)
        if check.intact:
            return _("intact (%(n)d entries)") % {"n": check.entries}
        if check.first_bad_seq is None:  # a ballot leaf (no number): its row
            return _("BROKEN at a ballot entry (row %(id)s)") % {"id": check.first_bad_entry}
        return _("BROKEN at entry %(seq)s") % {"seq": check.first_bad_seq}


@admin.register(AuditEntry)
class VoteAuditAdmin(ReadOnlyAdmin):
    list_display = ("vote_", "seq_", "kind_", "member_", "at_", "short_hash")
    list_display_links = ("vote_", "seq_")
    list_filter = (titled("vote__sitting", _("sitting"), admin.RelatedFieldListFilter),)
    search_fields = ("vote__question", "hash")
    date_hierarchy = "at"
    list_select_related = ("vote", "member")
    ordering = ("-vote_id", "seq")
    fields = ("vote_", "seq_", "kind_", "member_", "at_", "details", "prev_hash_", "hash_")

    vote_ = column("vote", _("vote"))
    seq_ = column("seq", _("number in the chain"))
    kind_ = column("kind", _("entry"), words=ENTRY_KINDS)
    member_ = column("member", _("member"))
    at_ = column("at", _("at"))
    prev_hash_ = column("prev_hash", _("previous hash"))
    hash_ = column("hash", _("hash"))

    @admin.display(description=_("hash"))
    def short_hash(self, entry: AuditEntry) -> str:
        return entry.hash[:12] + "…"

    @admin.display(description=_("details"))
    def details(self, entry: AuditEntry):
        if entry.kind in CHOICE_ENTRIES:
            return _("A ballot's choices are not shown here.")
        return shown(entry.body) if entry.body else self.get_empty_value_display()
