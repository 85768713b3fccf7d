"""The account messages: what they say and where their links lead (the transport is a port)."""

from __future__ import annotations

import html
from dataclasses import dataclass
from urllib.parse import quote

from photoshare.application.ports.mail import MailMessage


@dataclass(frozen=True, slots=True)
class AccountMail:
    """Builds the verification and reset messages; links start at the public base URL."""

    base_url: str

    def verify_link(self, token: str) -> str:
        return f"{self.base_url}/verify-email?token={quote(token)}"

    def reset_link(self, token: str) -> str:
        return f"{self.base_url}/reset-password?token={quote(token)}"

    def verification(self, to: str, username: str, token: str, hours: int) -> MailMessage:
        return _message(
            to,
            "Confirm your email address",
            f"Hello {username},",
            "please confirm this address for your PhotoShare account by opening this link:",
            self.verify_link(token),
            f"The link works once and expires in {hours} hours. If you did not ask for it, ignore it.",
        )

    def password_reset(self, to: str, username: str, token: str, minutes: int) -> MailMessage:
        return _message(
            to,
            "Reset your password",
            f"Hello {username},",
            "someone asked to reset the password of your PhotoShare account. To choose a new one, open:",
            self.reset_link(token),
            f"The link works once and expires in {minutes} minutes. "
            "If you did not ask for it, ignore this message: your password stays as it is.",
        )


def _message(to: str, subject: str, greeting: str, lead: str, link: str, note: str) -> MailMessage:
    text = f"{greeting}\n\n{lead}\n\n{link}\n\n{note}\n"
    e = html.escape
    body = (
        "<!doctype html><html><body>"
        f"<p>{e(greeting)}</p><p>{e(lead)}</p>"
        f'<p><a href="{e(link, quote=True)}">{e(link)}</a></p>'
        f"<p>{e(note)}</p></body></html>"
    )
    return MailMessage(to=to, subject=subject, text=text, html=body, link=link)
