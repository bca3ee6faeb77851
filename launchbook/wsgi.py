import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "launchbook.settings")
application = get_wsgi_application()

from launchbook.warmup import web_process_start  # noqa: E402 - needs the apps loaded above

web_process_start()
