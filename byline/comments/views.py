"""Reader views of comments: posting (post/redirect/get), the reply form, notices, unsubscribe."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from wagtail.models import Page

from byline.blogs.models import BlogPage
from byline.comments import proof_of_work
from byline.comments.forms import CommentForm
from byline.comments.models import CommentStatus, ReaderComment
from byline.comments.moderation import comments_closed
from byline.comments.pages import commented_page, governing_blog
from byline.comments.services import comment_submit
from byline.comments.tasks import UNSUBSCRIBE_SALT
from byline.core import formguard


def _live_post(request: HttpRequest, post_id: int) -> tuple[Page, BlogPage | None]:
    post = commented_page(post_id, request)
    if post is None:
        raise Http404("No such page")
    return post, governing_blog(post)


def _form_page(request, *, post, blog, form, status=200, parent=None) -> HttpResponse:
    return render(
        request,
        "comments/comment_form_page.html",
        {"post": post, "blog": blog, "form": form, "parent": parent},
        status=status,
    )


@csrf_exempt  # the post page is cached for everyone; formguard replaces the CSRF token
@require_http_methods(["GET", "POST"])
def post_comment(request: HttpRequest, post_id: int) -> HttpResponse:
    post, blog = _live_post(request, post_id)
    if request.method == "GET":
        return HttpResponseRedirect(f"{post.url}#comment-form")
    if comments_closed(post, blog):
        return render(request, "comments/closed.html", {"post": post, "blog": blog}, status=403)
    try:
        formguard.check_request(request, scope="comments", rate=settings.BYLINE_COMMENTS_RATE_LIMIT)
    except formguard.Refused as refusal:
        response = render(
            request,
            "comments/refused.html",
            {"post": post, "message": refusal.message},
            status=refusal.status,
        )
        if refusal.retry_after:
            response["Retry-After"] = str(refusal.retry_after)
        return response
    form = CommentForm(request.POST, post=post)
    if not form.is_valid():
        parent = form.cleaned_data.get("parent") if "parent" not in form.errors else None
        return _form_page(request, post=post, blog=blog, form=form, status=400, parent=parent)
    data = form.cleaned_data
    comment = comment_submit(
        post=post,
        blog=blog,
        name=data["name"],
        email=data["email"],
        website=data["website"],
        body=data["body"],
        parent=data["parent"],
        notify_replies=data["notify_replies"],
        ip_hash=formguard.ip_hash(formguard.client_ip(request.META)),
        bot_signals=form.formguard_bot_signals,
        proof_of_work=data["altcha"],
    )
    if comment.status == CommentStatus.APPROVED:
        return HttpResponseRedirect(f"{post.url}#{comment.anchor}", status=303)
    # Held and spam look the same from outside: a bot learns nothing from the answer.
    return HttpResponseRedirect(reverse("comments:held", args=[post.pk]), status=303)


@require_http_methods(["GET"])
def challenge(request: HttpRequest) -> HttpResponse:
    """A fresh proof-of-work challenge for altcha.js, or 204 when proof of work is off.

    Fetched by the script rather than written into the page, so that pages served from the
    page store get a new one for every reader, and the editors' switch works at once."""
    difficulty = proof_of_work.maxnumber()
    response = (
        JsonResponse(proof_of_work.create_challenge(maxnumber=difficulty))
        if difficulty
        else HttpResponse(status=204)
    )
    response["Cache-Control"] = "no-store"
    return response


def reply(request: HttpRequest, post_id: int, comment_id: int) -> HttpResponse:
    """The reply form for one comment, for readers without JavaScript."""
    post, blog = _live_post(request, post_id)
    parent = get_object_or_404(
        ReaderComment.objects.approved().conversation(), pk=comment_id, post=post
    )
    if comments_closed(post, blog):
        return render(request, "comments/closed.html", {"post": post, "blog": blog}, status=403)
    form = CommentForm(post=post, initial={"parent": parent.pk})
    return _form_page(request, post=post, blog=blog, form=form, parent=parent)


def held(request: HttpRequest, post_id: int) -> HttpResponse:
    post, blog = _live_post(request, post_id)
    return render(request, "comments/held.html", {"post": post, "blog": blog})


@csrf_exempt  # RFC 8058 one-click unsubscribe comes as a POST from the mail client
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks (link scanners follow GETs); POST, from the page or the mail client, does it."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        email = str(data["e"])
    except (signing.BadSignature, KeyError, TypeError):
        return render(request, "comments/unsubscribe.html", {"invalid": True}, status=400)
    done = False
    if request.method == "POST":
        ReaderComment.objects.by_email(email).update(notify_replies=False)
        done = True
    return render(request, "comments/unsubscribe.html", {"done": done})
