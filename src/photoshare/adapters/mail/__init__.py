"""Mail transports behind the `MailSender` port: SMTP, or `.eml` files in an outbox directory."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from photoshare.application.ports.mail import MailMessage


def to_email(message: MailMessage, sender: str) -> EmailMessage:
    """An RFC 5322 message: multipart/alternative with the plain text first, then the HTML."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to
    email["Subject"] = message.subject
    email["Date"] = format_datetime(datetime.now(UTC))
    email["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip("> ") or None)
    email.set_content(message.text)
    email.add_alternative(message.html, subtype="html")
    return email
