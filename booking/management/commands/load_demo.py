import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from booking.demo import demo_password, load_accounts, load_catalog, load_standby


class Command(BaseCommand):
    help = "Load (or refresh) the demo catalog and the demo accounts. Safe to run again."

    def handle(self, *args, **options) -> None:
        if settings.LAUNCHBOOK_PRODUCTION and not os.environ.get("LAUNCHBOOK_DEMO_PASSWORD"):
            # Demo accounts include a staff operator: never with the well-known password in production.
            raise CommandError(
                "With DEBUG off, set LAUNCHBOOK_DEMO_PASSWORD before loading the demo accounts."
            )
        counts = load_catalog()
        accounts = load_accounts()
        standby = load_standby()
        self.stdout.write("Demo catalog: " + ", ".join(f"{n} {what}" for what, n in counts.items()))
        self.stdout.write(
            "Demo standby lists: " + ", ".join(f"{n} {status}" for status, n in standby.items())
        )
        self.stdout.write(f"Demo accounts (password {demo_password()!r}):")
        for username, what in accounts:
            self.stdout.write(f"  {username:<12} {what}")
