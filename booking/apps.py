from django.apps import AppConfig


class BookingConfig(AppConfig):
    name = "booking"
    verbose_name = "Launches and bookings"

    def ready(self) -> None:
        # Connects the sign-in receiver that stamps sessions for the idle and absolute timeouts.
        import launchbook.security  # noqa: F401
