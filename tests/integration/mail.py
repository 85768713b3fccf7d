"""Mail helpers for tests: a real local SMTP server (aiosmtpd) and readers of sent messages."""

from __future__ import annotations

import asyncio
import re
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

#: Mail goes out off the request path: how long a test waits for it to arrive.
WAIT_SECONDS = 10.0
TOKEN_LINK = re.compile(r"(https?://\S+/(?:verify-email|reset-password)\?token=([A-Za-z0-9_\-%]+))")


@dataclass
class Inbox:
    """What a local SMTP server received, as parsed messages."""

    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    async def wait_for(self, count: int = 1) -> list[EmailMessage]:
        deadline = time.monotonic() + WAIT_SECONDS
        while len(self.messages) < count:
            assert time.monotonic() < deadline, f"expected {count} messages, got {len(self.messages)}"
            await asyncio.sleep(0.02)
        return self.messages


class _Handler:
    def __init__(self, inbox: Inbox) -> None:
        self._inbox = inbox

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self._inbox.messages.append(parsed)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def smtp_inbox(**options: Any) -> Iterator[Inbox]:
    """A running aiosmtpd server; `options` go to its `Controller` (TLS, authentication)."""
    inbox = Inbox("127.0.0.1", free_port())
    controller = Controller(_Handler(inbox), hostname=inbox.host, port=inbox.port, **options)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1, made by the openssl command (no network, no extra package)."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def server_tls(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def client_tls(cert: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(cert))


class Logins:
    """An aiosmtpd authenticator that accepts one user name and password, and records tries."""

    def __init__(self, username: str, password: str) -> None:
        self.expected = (username.encode(), password.encode())
        self.tried: list[tuple[bytes, bytes]] = []

    def __call__(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        self.tried.append((auth_data.login, auth_data.password))
        return AuthResult(success=(auth_data.login, auth_data.password) == self.expected)


def parts(message: EmailMessage) -> tuple[str, str]:
    """The plain-text and HTML bodies."""
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    return text.get_content(), html.get_content()


def link_in(message: EmailMessage) -> tuple[str, str]:
    """The action link of a message and its token."""
    text, _ = parts(message)
    found = TOKEN_LINK.search(text)
    assert found, text
    return found.group(1), found.group(2)


def outbox_messages(directory: Path) -> list[EmailMessage]:
    found = []
    for path in sorted(directory.glob("*.eml")) if directory.is_dir() else []:
        parsed = message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        found.append(parsed)
    return found


async def wait_for_outbox(directory: Path, count: int = 1) -> list[EmailMessage]:
    deadline = time.monotonic() + WAIT_SECONDS
    while len(found := outbox_messages(directory)) < count:
        assert time.monotonic() < deadline, f"expected {count} messages in {directory}, got {len(found)}"
        await asyncio.sleep(0.02)
    return found
