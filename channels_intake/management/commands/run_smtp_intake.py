"""Run the SMTP intake server until interrupted (SIGINT/SIGTERM)."""

import signal
import threading

from django.core.management.base import BaseCommand

from channels_intake.email.smtp import make_controller


class Command(BaseCommand):
    help = "Receive complaint e-mail over SMTP (behind the mail relay) into the channel inbox."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=int, default=2525, help="port (0 = any free port)")
        parser.add_argument(
            "--server-hostname", default="", help="name announced in the SMTP greeting"
        )

    def handle(self, *args, host: str, port: int, server_hostname: str, **options) -> None:
        controller = make_controller(host=host, port=port, server_hostname=server_hostname)
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        controller.start()
        self.stdout.write(f"SMTP intake listening on {controller.hostname}:{controller.port}")
        try:
            stop.wait()
        finally:
            controller.stop()
            controller.handler.close()
            self.stdout.write("SMTP intake stopped")
