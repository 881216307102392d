"""Refusing to serve with a configuration that is unsafe: the web entry points run the security checks at start."""

from django.core import checks
from django.core.management.base import SystemCheckError


def refuse_to_start_on_errors() -> None:
    """Raise ``SystemCheckError`` if a security check (any app's, tagged ``security``) reports an error.

    ``manage.py runserver`` runs every system check before serving, but gunicorn (or any WSGI/ASGI server) runs
    none: this makes a worker fail to boot instead of serving. Only the security-tagged checks run, which are cheap.
    """
    errors = [
        message
        for message in checks.run_checks(tags=[checks.Tags.security], include_deployment_checks=False)
        if message.is_serious() and not message.is_silenced()
    ]
    if errors:
        raise SystemCheckError("Stagewise refuses to start:\n" + "\n".join(str(message) for message in errors))
