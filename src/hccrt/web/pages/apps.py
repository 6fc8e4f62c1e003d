from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "hccrt.web.pages"
    label = "pages"
    verbose_name = "hccrt pages"
