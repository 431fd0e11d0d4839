"""Admin: documents with their versions and record; upload and new versions go through
the same service as the console, so the admin cannot store an unchecked file."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.adminkit import name_model
from core.errors import DomainError
from core.models import AgendaItem, Session
from docs_store.models import Access, Document, DocumentAction, DocumentVersion
from docs_store.services.upload import Upload, replace_version, upload_documents

name_model(Document, _("document"), _("documents"))  # not "文件s"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files if f]


class DocumentUploadForm(forms.ModelForm):
    """New documents (several files) or, when editing, a new version (one file)."""

    files = MultipleFileField(widget=MultipleFileInput(attrs={"accept": ".pdf"}), required=False)

    class Meta:
        model = Document
        fields = ["session", "item", "title", "order", "access"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        self.fields["item"].queryset = AgendaItem.objects.select_related("sitting")
        self.fields["session"].queryset = Session.objects.all()
        if self.instance.pk:
            for name in ("session", "item"):
                self.fields[name].disabled = True

    def clean(self):
        data = super().clean()
        files = data.get("files") or []
        if not self.instance.pk and not files:
            raise ValidationError("Choose at least one PDF file.")
        if self.instance.pk and len(files) > 1:
            raise ValidationError("A new version is one file.")
        if not data.get("title") and files:
            data["title"] = files[0].name.rsplit(".", 1)[0]
            self.instance.title = data["title"]
        return data


class VersionInline(admin.TabularInline):
    model = DocumentVersion
    extra = 0
    can_delete = False
    fields = ["number", "filename", "pages", "size", "sha256", "uploaded_by", "uploaded_at"]
    readonly_fields = fields


class ActionInline(admin.TabularInline):
    model = DocumentAction
    extra = 0
    can_delete = False
    fields = ["kind", "by", "at", "version"]
    readonly_fields = fields


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    form = DocumentUploadForm
    list_display = ["title", "session", "item", "access", "state", "order"]
    list_filter = ["state", "access", "session"]
    search_fields = ["title"]
    inlines = [VersionInline, ActionInline]

    def save_model(self, request, obj, form, change):
        files = form.cleaned_data.get("files") or []
        typed = form.data.get("title", "")
        uploads = [Upload(f.name, f.read(), typed if len(files) == 1 else "") for f in files]
        try:
            if change:
                obj.save()
                if uploads:
                    replace_version(obj, uploads[0], by=request.user)
                return
            docs = upload_documents(
                obj.session,
                uploads,
                by=request.user,
                item=obj.item,
                access=obj.access or Access.COMMITTEE,
            )
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            raise _Refused from exc
        obj.pk = docs[0].pk
        obj.refresh_from_db()

    def add_view(self, request, *args, **kwargs):
        try:
            return super().add_view(request, *args, **kwargs)
        except _Refused:
            from django.http import HttpResponseRedirect

            return HttpResponseRedirect(request.path)

    def change_view(self, request, *args, **kwargs):
        try:
            return super().change_view(request, *args, **kwargs)
        except _Refused:
            from django.http import HttpResponseRedirect

            return HttpResponseRedirect(request.path)

    def save_related(self, request, form, formsets, change):
        """Versions and the record are written by the services, never by the inlines."""
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


class _Refused(Exception):
    """An upload the service refused: the admin shows the message and stores nothing."""
