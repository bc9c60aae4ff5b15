from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "byline.search"
    label = "byline_search"

    def ready(self) -> None:
        from wagtail.search import index

        from byline.blogs.models import PostPage
        from byline.search import indexing, signal_handlers

        # Readers search by author too (issue 6). The byline lives on PostPageAuthor, so the
        # author's name is indexed through it; added here, next to the search that needs it,
        # rather than in blogs' model. `byline update_index` after changing this.
        if not any(
            getattr(field, "field_name", "") == "post_authors" for field in PostPage.search_fields
        ):
            PostPage.search_fields = [
                *PostPage.search_fields,
                index.RelatedFields(
                    "post_authors", [index.RelatedFields("author", [index.SearchField("name")])]
                ),
            ]
        signal_handlers.register()
        indexing.read_search_fields_once()
