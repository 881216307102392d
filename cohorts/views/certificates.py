"""Certificate pages: the public verification page, the learner's download and reissue, and the instructor's
certificates page (signature upload, the ZIP, issuing now, revocation by staff)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.types import PageRequest
from cohorts.certificates import selectors, services
from cohorts.certificates.credentials import credential_response
from cohorts.forms import RevokeForm, SignatureForm
from cohorts.views.common import taught_cohort
from stagewise.errors import ApplicationError
from stagewise.pages import render_page
from stagewise.permissions import is_staff


def verify(request: HttpRequest, verify_id: str) -> HttpResponse:
    """Public: whether the certificate stands, and what it shows. No sign-in, nothing else about the learner."""
    certificate = selectors.certificate_get_by_verify_id(verify_id=verify_id)
    context = {
        "certificate": certificate,
        "cohort": certificate.enrollment.cohort,
        "course": certificate.enrollment.cohort.course,
        "successor_url": selectors.verify_url(certificate.superseded_by) if certificate.superseded_by else None,
        "issued_on": selectors.printed_issue_date(certificate),  # as printed, whoever reads the page
        "credential_url": selectors.credential_url(certificate) if certificate.credential else None,
    }
    response = render_page(request, "cohorts/verify.html", context)
    response["X-Robots-Tag"] = "noindex"  # a name on a public page: verifiable by link, not findable by search
    return response


@login_required
def certificate_download(request: PageRequest, certificate_id: int) -> HttpResponseBase:
    certificate = selectors.certificate_get_for_user(user=request.user, certificate_id=certificate_id)
    return selectors.certificate_pdf_response(certificate)


@login_required
def credential_download(request: PageRequest, verify_id: str) -> HttpResponse:
    """The certificate's Open Badges credential (application/ld+json), for its learner to add to a wallet."""
    certificate = selectors.certificate_get_for_holder_by_verify_id(user=request.user, verify_id=verify_id)
    return credential_response(certificate)


@login_required
@require_POST
def certificate_reissue(request: PageRequest, certificate_id: int) -> HttpResponse:
    certificate = selectors.certificate_get_for_learner(user=request.user, certificate_id=certificate_id)
    try:
        services.certificate_reissue(actor=request.user, certificate_id=certificate.pk)
    except ApplicationError as exc:
        if exc.status == 404:
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Your certificate was reissued under your current name. We mailed it to you."))
    return redirect("cohorts:cohort", cohort_id=certificate.enrollment.cohort_id)


def _manage_context(request: PageRequest, cohort_id: int, **extra: object) -> dict[str, object]:
    cohort = taught_cohort(request, cohort_id)
    return {
        "cohort": cohort,
        "course": cohort.course,
        "tab": "certificates",
        "certificates": list(selectors.certificate_list_for_cohort(user=request.user, cohort_id=cohort.pk)),
        "signature_form": SignatureForm(),
        "revoke_form": RevokeForm(),
        "can_revoke": is_staff(request.user),
        **extra,
    }


@login_required
def certificates_manage(request: PageRequest, cohort_id: int) -> HttpResponse:
    """The cohort's certificates; the signature printed on them (upload or remove)."""
    context = _manage_context(request, cohort_id)
    if request.method != "POST":
        return render_page(request, "cohorts/certificates.html", context)
    cohort = context["cohort"]
    if request.POST.get("remove"):
        services.cohort_signature_set(actor=request.user, cohort_id=cohort_id, upload=None)
        messages.success(request, _("Signature removed: certificates show your typed name."))
        return redirect("cohorts:certificates", cohort_id=cohort_id)
    form = SignatureForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.cohort_signature_set(
                actor=request.user, cohort_id=cohort_id, upload=form.cleaned_data["signature"]
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Signature saved. Certificates issued from now on carry it."))
            return redirect("cohorts:certificates", cohort_id=cohort_id)
    context["signature_form"] = form
    context["cohort"] = cohort
    return render_page(request, "cohorts/certificates.html", context, status=422)


@login_required
def certificates_zip(request: PageRequest, cohort_id: int) -> HttpResponse:
    archive = selectors.certificate_archive_for_cohort(user=request.user, cohort_id=cohort_id)
    return selectors.certificate_archive_response(archive)


@login_required
@require_POST
def certificates_issue(request: PageRequest, cohort_id: int) -> HttpResponse:
    cohort = taught_cohort(request, cohort_id)
    with transaction.atomic():
        queued = services.certificates_issue_for_cohort(cohort=cohort)
    messages.success(
        request,
        ngettext(
            "%(num)d certificate is being issued; it is mailed to its learner when ready.",
            "%(num)d certificates are being issued; each is mailed to its learner when ready.",
            queued,
        )
        % {"num": queued}
        if queued
        else _("Every learner who completed the cohort has a certificate."),
    )
    return redirect("cohorts:certificates", cohort_id=cohort.pk)


@login_required
@require_POST
def certificate_revoke(request: PageRequest, certificate_id: int) -> HttpResponse:
    certificate = selectors.certificate_get_for_user(user=request.user, certificate_id=certificate_id)
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            services.certificate_revoke(
                actor=request.user, certificate_id=certificate.pk, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            if exc.status in (403, 404):
                raise
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Certificate %(serial)s revoked.") % {"serial": certificate.serial})
    else:
        messages.error(request, _("Give a reason for the revocation."))
    return redirect("cohorts:certificates", cohort_id=certificate.enrollment.cohort_id)
