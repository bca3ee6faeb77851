import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "launchbook.settings")

app = Celery("launchbook")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
