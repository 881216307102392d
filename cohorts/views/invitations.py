"""Invitations on pages: the instructor invites an address from the cohort's dashboard; the invited person opens the
mailed link, signs in (or up) with that address and accepts (``cohorts.invitations``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.types import PageRequest
from cohorts import invitations
from cohorts.forms import InviteForm
from cohorts.views.common import taught_cohort
from stagewise.errors import ApplicationError
from stagewise.pages import render_page


@login_required
@require_POST
def invite(request: PageRequest, cohort_id: int) -> HttpResponse:
    cohort = taught_cohort(request, cohort_id)
    form = InviteForm(request.POST)
    if form.is_valid():
        email = form.cleaned_data["email"]
        try:
            invitations.invitation_send(actor=request.user, cohort_id=cohort.pk, email=email)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s. They join once they accept it.") % {"email": email}
            )
    else:
        messages.error(request, str(form["email"].errors[0]))
    return redirect(reverse("cohorts:manage", args=[cohort.pk]) + "#invite")


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The mailed link: what the invitation offers, and a button to accept it when signed in with its address."""
    found = invitations.invitation_get_by_token(token=token)
    user = request.user
    if request.method == "POST" and user.is_authenticated:
        try:
            invitations.invitation_accept(user=user, token=token)  # type: ignore[arg-type]
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Welcome to %(cohort)s!") % {"cohort": found.cohort.name})
            return redirect("cohorts:cohort", cohort_id=found.cohort_id)
    context = {
        "invitation": found,
        "cohort": found.cohort,
        "here": request.path,
        "for_someone_else": user.is_authenticated and not invitations.invitation_is_for(invitation=found, user=user),  # type: ignore[arg-type]
        "expired": found.expires_at <= timezone.now(),
    }
    return render_page(request, "cohorts/invitation.html", context)
