"""The default transport: each message becomes an RFC 5322 `.eml` file in a directory.

A local instance needs no mail server: open the file in a mail client, or follow the link
that the log shows. Files are written under a temporary name and renamed, so a reader
never sees half a message.
"""

from __future__ import annotations

import logging
import os
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path

import anyio.to_thread

from photoshare.adapters.mail import to_email
from photoshare.application.ports.mail import MailMessage
from photoshare.domain.errors import Unavailable

log = logging.getLogger("photoshare.mail")


class OutboxMailSender:
    """Implements `MailSender` on a directory."""

    def __init__(self, directory: Path, sender: str) -> None:
        self._directory = directory
        self._sender = sender

    async def send(self, message: MailMessage) -> None:
        try:
            path = await anyio.to_thread.run_sync(self._write, message)
        except OSError as error:
            raise Unavailable("the mail outbox cannot be written now") from error
        log.info("mail to %s (%s) written to %s: %s", message.to, message.subject, path, message.link)

    def _write(self, message: MailMessage) -> Path:
        self._directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        path = self._directory / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
        fd, temp = tempfile.mkstemp(dir=self._directory, prefix=".", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(to_email(message, self._sender).as_bytes())
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        return path
