"""Email backends for tests: real Django backends that fail the way production ones do.

Each keeps what it was handed in ``django.core.mail.outbox`` (as the locmem
backend does) before it misbehaves, so a test sees what reached the "server".
"""

import smtplib
import socket
import time

from django.core.mail.backends import locmem


def closed_port() -> int:
    """Return a local TCP port where nothing listens (connecting to it is refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class WorkerKilled(BaseException):
    """The worker process dying: nothing in the worker catches it."""


class CrashAfterSendBackend(locmem.EmailBackend):
    """Hand the messages over, then die before the worker can mark them sent."""

    def send_messages(self, messages):
        super().send_messages(messages)
        raise WorkerKilled("killed after the mail server accepted the message")


class RefusingRecipientsBackend(locmem.EmailBackend):
    """A mail server that refuses every recipient for good (550), as smtplib reports it."""

    def send_messages(self, messages):
        refused = {
            address: (550, b"5.1.1 No such user here")
            for message in messages
            for address in message.recipients()
        }
        raise smtplib.SMTPRecipientsRefused(refused)


class SlowBackend(locmem.EmailBackend):
    """A mail server that takes a moment per message, so that racing workers overlap."""

    def send_messages(self, messages):
        time.sleep(0.02 * len(messages))
        return super().send_messages(messages)
