"""The cohort's feed: posts newest first with pinned announcements on top, reactions, comments, check-in images."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.types import PageRequest
from cohorts import feed, page_selectors
from cohorts.forms import CommentForm
from cohorts.models import Comment, Post, ReactionKind
from cohorts.views.common import DAY_STATE_LABELS, applications_waiting_in, back
from stagewise.errors import Conflict, Invalid
from stagewise.files import private_file_response
from stagewise.pages import render_page


def _feed_rows(*, posts: list[Post], comments: dict[int, list[Comment]]) -> list[dict[str, Any]]:
    return [
        {
            "post": post,
            "checkin": post.checkin,
            "comments": comments.get(post.pk, []),
            "reaction_counts": feed.reaction_counts(post),
            "image_url": reverse("cohorts:checkin_image", args=[post.checkin_id])
            if post.checkin is not None and post.checkin.image
            else None,
        }
        for post in posts
    ]


@login_required
def cohort_feed(request: PageRequest, cohort_id: int) -> HttpResponse:
    """The cohort's feed, newest first, pinned announcements on top of the first page; an "older" link."""
    cursor = request.GET.get("cursor") or None
    try:
        page = feed.feed_page(user=request.user, cohort_id=cohort_id, cursor=cursor)
    except Invalid:  # a broken cursor
        messages.error(request, _("This page link is broken; here is the first page."))
        return redirect("cohorts:feed", cohort_id=cohort_id)
    cohort, teaches = page.cohort, page.teaches
    has_ended = cohort.has_ended(timezone.now())
    posts = [*page.pinned, *page.items]
    comments = page_selectors.comments_for_posts(post_ids=[p.pk for p in posts])
    context = {
        "cohort": cohort,
        "course": cohort.course,
        "teaches": teaches,
        "applications_waiting": applications_waiting_in(cohort) if teaches else 0,
        "has_ended": has_ended,
        "read_only": has_ended and not teaches,
        "pinned": _feed_rows(posts=page.pinned, comments=comments),
        "items": _feed_rows(posts=page.items, comments=comments),
        "older_url": f"?cursor={page.next_cursor}" if page.next_cursor else None,
        "is_first_page": cursor is None,
        "reactions": ReactionKind.choices,
        "rejected_label": DAY_STATE_LABELS["rejected"],
        "here": request.get_full_path(),
    }
    return render_page(request, "cohorts/feed.html", context)


@login_required
@require_POST
def post_react(request: PageRequest, post_id: int) -> HttpResponse:
    """React with ``kind``; ``remove`` takes one's reaction back (the button of the reaction one already gave)."""
    try:
        if request.POST.get("remove"):
            feed.reaction_remove(user=request.user, post_id=post_id)
        else:
            feed.reaction_set(user=request.user, post_id=post_id, kind=request.POST.get("kind", ReactionKind.LIKE))
    except (Invalid, Conflict) as exc:
        messages.error(request, exc.message)
    return back(request, "/", f"#post-{post_id}")


@login_required
@require_POST
def post_comment(request: PageRequest, post_id: int) -> HttpResponse:
    form = CommentForm(request.POST)
    try:
        if form.is_valid():
            feed.comment_add(user=request.user, post_id=post_id, body=form.cleaned_data["body"])
        else:
            messages.error(request, _("Write something first."))
    except (Invalid, Conflict) as exc:
        messages.error(request, exc.message)
    return back(request, "/", f"#post-{post_id}")


@login_required
def checkin_image(request: PageRequest, checkin_id: int) -> HttpResponseBase:
    """A check-in's image, for those who may see the check-in (media files are not served publicly): streamed, or a
    redirect to a short-lived signed URL on object storage."""
    checkin = page_selectors.checkin_image_for_user(user=request.user, checkin_id=checkin_id)
    name = checkin.image.name or ""
    return private_file_response(
        storage=checkin.image.storage, name=name, filename=name.rsplit("/", 1)[-1], as_attachment=False, max_age=86400
    )


@login_required
def post_permalink(request: PageRequest, post_id: int) -> HttpResponse:
    """A post's address (notifications lead here): the feed page that shows it, at the post."""
    cohort_id, cursor = feed.feed_page_of_post(user=request.user, post_id=post_id)
    query = f"?cursor={cursor}" if cursor else ""
    return redirect(reverse("cohorts:feed", args=[cohort_id]) + f"{query}#post-{post_id}")
