from django.apps import AppConfig


class BlogsConfig(AppConfig):
    name = "byline.blogs"
    label = "blogs"
    verbose_name = "Blogs"
