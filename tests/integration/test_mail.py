"""The mail transports: SMTP against a real local server (aiosmtpd), and the outbox directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from photoshare.adapters.mail.outbox import OutboxMailSender
from photoshare.adapters.mail.smtp import SmtpMailSender, SmtpTarget
from photoshare.application.mail import AccountMail
from photoshare.domain.errors import Unavailable
from tests.integration.mail import (
    Inbox,
    Logins,
    client_tls,
    free_port,
    link_in,
    outbox_messages,
    parts,
    self_signed_certificate,
    server_tls,
    smtp_inbox,
)

MAIL = AccountMail("https://photos.example.org")


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    yield from smtp_inbox()


async def test_smtp_delivers_a_message_with_text_and_html_parts(inbox: Inbox) -> None:
    sender = SmtpMailSender(inbox.url, "PhotoShare <noreply@photos.example.org>")
    await sender.send(MAIL.password_reset("alice@example.org", "alice", "tok-123", 30))
    (message,) = await inbox.wait_for(1)
    assert message["To"] == "alice@example.org"
    assert message["From"] == "PhotoShare <noreply@photos.example.org>"
    assert message["Subject"] == "Reset your password"
    assert message.get_content_type() == "multipart/alternative"
    text, html = parts(message)
    assert "https://photos.example.org/reset-password?token=tok-123" in text
    assert 'href="https://photos.example.org/reset-password?token=tok-123"' in html
    assert link_in(message) == ("https://photos.example.org/reset-password?token=tok-123", "tok-123")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed_certificate(tmp_path_factory.mktemp("tls"))


async def test_smtp_upgrades_with_starttls_before_logging_in(certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    logins = Logins("mailer", "p@ss word")
    for inbox in smtp_inbox(
        tls_context=server_tls(cert, key), require_starttls=True, authenticator=logins, auth_require_tls=True
    ):
        sender = SmtpMailSender(
            f"smtp://mailer:p%40ss%20word@{inbox.host}:{inbox.port}",
            "noreply@example.org",
            tls=client_tls(cert),
        )
        await sender.send(MAIL.verification("bob@example.org", "bob", "t1", 48))
        (message,) = await inbox.wait_for(1)
        assert link_in(message)[1] == "t1"
    assert logins.tried == [(b"mailer", b"p@ss word")]


async def test_smtps_speaks_tls_from_the_first_byte(certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    for inbox in smtp_inbox(server_hostname="127.0.0.1", ssl_context=server_tls(cert, key)):
        sender = SmtpMailSender(
            f"smtps://{inbox.host}:{inbox.port}", "noreply@example.org", tls=client_tls(cert)
        )
        await sender.send(MAIL.password_reset("bob@example.org", "bob", "t2", 30))
        (message,) = await inbox.wait_for(1)
        assert link_in(message)[1] == "t2"


async def test_a_certificate_the_client_does_not_trust_is_refused(certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    for inbox in smtp_inbox(server_hostname="127.0.0.1", ssl_context=server_tls(cert, key)):
        sender = SmtpMailSender(f"smtps://{inbox.host}:{inbox.port}", "noreply@example.org", timeout=5)
        with pytest.raises(Unavailable):
            await sender.send(MAIL.password_reset("bob@example.org", "bob", "t3", 30))
        assert inbox.messages == []


async def test_an_unreachable_smtp_server_is_unavailable() -> None:
    sender = SmtpMailSender(f"smtp://127.0.0.1:{free_port()}", "noreply@example.org", timeout=2)
    with pytest.raises(Unavailable):
        await sender.send(MAIL.verification("bob@example.org", "bob", "t", 48))


def test_smtp_urls_name_tls_mode_port_and_decoded_credentials() -> None:
    plain = SmtpTarget.from_url("smtp://mailer:p%40ss@mail.example.org:587")
    assert (plain.implicit_tls, plain.host, plain.port, plain.username, plain.password) == (
        False,
        "mail.example.org",
        587,
        "mailer",
        "p@ss",
    )
    tls = SmtpTarget.from_url("smtps://mail.example.org")
    assert (tls.implicit_tls, tls.port, tls.username) == (True, 465, None)
    with pytest.raises(ValueError, match="SMTP URL"):
        SmtpTarget.from_url("http://mail.example.org")


async def test_the_outbox_writes_one_rfc5322_file_per_message_and_logs_its_link(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    outbox = OutboxMailSender(tmp_path / "outbox", "noreply@example.org")
    caplog.set_level("INFO", logger="photoshare.mail")
    await outbox.send(MAIL.verification("bob@example.org", "bob", "abc", 48))
    await outbox.send(MAIL.password_reset("bob@example.org", "bob", "def", 30))
    first, second = outbox_messages(tmp_path / "outbox")
    assert first["Subject"] == "Confirm your email address"
    assert link_in(first)[0] == "https://photos.example.org/verify-email?token=abc"
    assert link_in(second)[1] == "def"
    assert "https://photos.example.org/verify-email?token=abc" in caplog.text
    assert not list((tmp_path / "outbox").glob(".*"))  # no temporary files left behind
