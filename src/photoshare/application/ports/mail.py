"""Account mail: messages and whatever hands them over for delivery."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class MailMessage:
    """One message with a plain-text and an HTML part; `link` is the action it carries."""

    to: str
    subject: str
    text: str
    html: str
    link: str


class MailSender(Protocol):
    """Hands a message over for delivery (SMTP, the outbox directory, later a job queue).

    Raises `Unavailable` when the message cannot be handed over now.
    """

    async def send(self, message: MailMessage) -> None: ...
