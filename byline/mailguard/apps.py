from django.apps import AppConfig


class MailguardConfig(AppConfig):
    name = "byline.mailguard"
    label = "mailguard"
