from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "hccrt.web.core"
    label = "core"
    verbose_name = "hccrt trials"
