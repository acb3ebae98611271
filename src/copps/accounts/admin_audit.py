"""Audited reads in the Django admin: every change list, change form, history and deletion
page of a model holding personal or sensitive data writes an audit row before it is shown, like
the staff pages (``copps.accounts.audit``), and fails closed: if the row cannot be written the
page is not shown (a generic 500).

The admin's pages return a ``TemplateResponse`` that renders only after the view returns, so the
row is written after the admin has chosen what to show (the list's rows, the object) and before
any of it is rendered. Responses that show nothing (a redirect after a save, a refusal) write no
read row; changes are audited where they happen (signals, the admins' own actions).
"""

from __future__ import annotations

from django.template.response import TemplateResponse

from copps.accounts import audit

__all__ = ["AuditedReadsAdmin"]


class AuditedReadsAdmin:
    """Mix in before ``admin.ModelAdmin`` (or a subclass such as ``UserAdmin``).

    Rows: ``<type>.list`` for a change list (its query and the ids it showed), ``<type>.read``
    for a change form, history or deletion page (``params.view`` says which); every row has
    ``params.via = "admin"``. ``<type>`` is ``audit_object_type``, by default the model's name.
    """

    audit_object_type: str = ""

    def _audit_type(self) -> str:
        return self.audit_object_type or self.model._meta.model_name

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = _context(response).get("cl")
        if changelist is not None:
            kind = self._audit_type()
            audit.record(
                f"{kind}.list",
                request=request,
                object_type=kind,
                params={"via": "admin", "query": request.GET.dict(), "shown": [o.pk for o in changelist.result_list]},
            )
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        return self._audited(request, object_id, "change", response)

    def history_view(self, request, object_id, extra_context=None):
        return self._audited(request, object_id, "history", super().history_view(request, object_id, extra_context))

    def delete_view(self, request, object_id, extra_context=None):
        return self._audited(request, object_id, "delete", super().delete_view(request, object_id, extra_context))

    def _audited(self, request, object_id, view: str, response):
        context = _context(response)
        if context.get("original") is not None or context.get("object") is not None:
            kind = self._audit_type()
            audit.record(f"{kind}.read", request=request, object_type=kind, object_id=object_id,
                         params={"via": "admin", "view": view})
        return response


def _context(response) -> dict:
    """The context of a page the admin is about to render; empty for anything else."""
    if isinstance(response, TemplateResponse) and not response.is_rendered:
        return response.context_data or {}
    return {}
