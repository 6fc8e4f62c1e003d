from django.apps import AppConfig


class CaptureConfig(AppConfig):
    name = "hccrt.web.capture"
    label = "capture"
    verbose_name = "hccrt data capture"
