from django.core.management.base import BaseCommand

from booking.demo import demo_password, load_accounts, load_catalog


class Command(BaseCommand):
    help = "Load (or refresh) the demo catalog and the demo accounts. Safe to run again."

    def handle(self, *args, **options) -> None:
        counts = load_catalog()
        accounts = load_accounts()
        self.stdout.write("Demo catalog: " + ", ".join(f"{n} {what}" for what, n in counts.items()))
        self.stdout.write(f"Demo accounts (password {demo_password()!r}):")
        for username, what in accounts:
            self.stdout.write(f"  {username:<12} {what}")
