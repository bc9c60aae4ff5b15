"""Reader URLs of the comments app."""

from django.urls import path

from byline.comments import feeds, views

app_name = "comments"

urlpatterns = [
    path("comments/post/<rowid:post_id>/", views.post_comment, name="post"),
    path("comments/post/<rowid:post_id>/reply/<rowid:comment_id>/", views.reply, name="reply"),
    path("comments/post/<rowid:post_id>/held/", views.held, name="held"),
    path("comments/post/<rowid:post_id>/feed/", feeds.PostCommentsFeed(), name="post-feed"),
    path("comments/challenge/", views.challenge, name="challenge"),
    path("comments/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("blogs/<uslug:blog>/comments/feed/", feeds.BlogCommentsFeed(), name="blog-feed"),
]
