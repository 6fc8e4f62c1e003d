from django.contrib import admin

from hccrt.web.core.models import Participant, Protocol, Site


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "country")
    search_fields = ("code", "name")


@admin.register(Protocol)
class ProtocolAdmin(admin.ModelAdmin):
    list_display = ("code", "version", "short_title", "design_type", "is_current", "loaded_at")
    list_filter = ("is_current", "design_type")
    readonly_fields = [f.name for f in Protocol._meta.fields]

    def has_delete_permission(self, request, obj=None) -> bool:  # trial data is never deleted
        return False


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ("study_id", "protocol", "site", "arm", "status", "consent_date")
    list_filter = ("protocol__code", "site", "status")
    search_fields = ("study_id",)

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # audited: changes go through the API, which asks for a reason

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
