"""SMTP delivery with the standard library, in a worker thread.

`smtp://user:pass@host:port` connects in plain text and upgrades with STARTTLS whenever the
server offers it; a password is never sent unencrypted except to a server on this machine.
`smtps://` speaks TLS from the first byte (port 465 by default). Credentials in the URL are
percent-decoded; certificates are verified against the system's CA store.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import anyio.to_thread

from photoshare.adapters.mail import to_email
from photoshare.application.ports.mail import MailMessage
from photoshare.domain.errors import Unavailable

log = logging.getLogger(__name__)

DEFAULT_PORTS = {"smtp": 25, "smtps": 465}
LOOPBACK = {"localhost", "127.0.0.1", "::1"}


@dataclass(frozen=True, slots=True)
class SmtpTarget:
    implicit_tls: bool
    host: str
    port: int
    username: str | None
    password: str | None

    @classmethod
    def from_url(cls, url: str) -> SmtpTarget:
        parts = urlsplit(url)
        if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
            raise ValueError("an SMTP URL is smtp://[user:pass@]host[:port] or smtps://…")
        return cls(
            implicit_tls=parts.scheme == "smtps",
            host=parts.hostname,
            port=parts.port or DEFAULT_PORTS[parts.scheme],
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )


class SmtpMailSender:
    """Implements `MailSender`; one connection per message (account mail is rare)."""

    def __init__(
        self, url: str, sender: str, *, timeout: float = 10.0, tls: ssl.SSLContext | None = None
    ) -> None:
        self._target = SmtpTarget.from_url(url)
        self._sender = sender
        self._timeout = timeout
        self._tls = tls or ssl.create_default_context()

    async def send(self, message: MailMessage) -> None:
        try:
            await anyio.to_thread.run_sync(self._send, message)
        except (smtplib.SMTPException, OSError) as error:
            log.warning("SMTP delivery to %s failed: %s", self._target.host, error)
            raise Unavailable("the mail server cannot take the message now") from error

    def _send(self, message: MailMessage) -> None:
        target = self._target
        smtp: smtplib.SMTP
        if target.implicit_tls:
            smtp = smtplib.SMTP_SSL(target.host, target.port, timeout=self._timeout, context=self._tls)
        else:
            smtp = smtplib.SMTP(target.host, target.port, timeout=self._timeout)
        with smtp:
            smtp.ehlo()
            encrypted = target.implicit_tls
            if not encrypted and smtp.has_extn("starttls"):
                smtp.starttls(context=self._tls)
                smtp.ehlo()
                encrypted = True
            if target.username is not None:
                if not encrypted and target.host not in LOOPBACK:
                    # Never send a password in clear text across a network.
                    raise smtplib.SMTPNotSupportedError("the server offers no STARTTLS: use smtps://")
                smtp.login(target.username, target.password or "")
            smtp.send_message(to_email(message, self._sender))
