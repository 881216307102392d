import os

from django.core.asgi import get_asgi_application

from stagewise.checks import refuse_to_start_on_errors

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stagewise.settings")
application = get_asgi_application()
refuse_to_start_on_errors()  # gunicorn runs no system checks itself
