"""Reader URLs of the newsletters app, all under /newsletter/ (DESIGN.md's URL contract)."""

from django.urls import include, path

from byline.newsletters import providers, views

app_name = "newsletters"

urlpatterns = [
    path("newsletter/", views.signup_page, name="signup"),
    path("newsletter/subscribe/", views.subscribe, name="subscribe"),
    path("newsletter/sent/", views.sent, name="sent"),
    path("newsletter/confirm/<str:token>/", views.confirm, name="confirm"),
    path("newsletter/preferences/<str:token>/", views.preferences, name="preferences"),
    path("newsletter/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    # Bounces and complaints from a provider (docs/newsletters.md), under their own namespace.
    path("newsletter/anymail/", include((providers.webhook_patterns(), "anymail"))),
]
