"""Reader URLs of the mailguard app: an author's contact page and its confirmation."""

from django.urls import path

from byline.mailguard import views

app_name = "mailguard"

urlpatterns = [
    path("authors/<uslug:slug>/contact/", views.contact, name="contact"),
    path("authors/<uslug:slug>/contact/sent/", views.contact_sent, name="contact-sent"),
]
