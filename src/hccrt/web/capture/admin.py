"""Read-only admin views of the eCRFs and the audit trail (changes go through the API, which
asks for a reason; the admin does not)."""

from django.contrib import admin

from hccrt.web.audit.models import AuditEvent
from hccrt.web.capture import models as m


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


for model in m.FORM_MODELS:
    admin.site.register(model, ReadOnly)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnly):
    list_display = ("id", "at", "username", "action", "model", "object_pk", "version", "reason")
    list_filter = ("action", "model")


@admin.register(m.Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "site")
    list_filter = ("role", "site")
