from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "hccrt.web.audit"
    label = "audit"
    verbose_name = "hccrt audit trail"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from hccrt.web.audit.guard import register_sqlite_function

        connection_created.connect(register_sqlite_function, dispatch_uid="hccrt-audit-guard")
