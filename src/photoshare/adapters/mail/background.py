"""Send mail off the request path: the answer never waits for (or reveals) a delivery.

`BackgroundMailSender` implements `MailSender` by starting the delivery as a task of the
process and returning at once; a failed delivery is logged, not retried (the user asks again).
It is not a procrastinate job on purpose: the job's arguments (the message, with its one-time
link) would stay readable in `procrastinate_jobs`, where the tokens are otherwise kept only as
hashes. A queue-backed `MailSender` that enqueues a reference instead (and mints the link in
the worker) would replace it in `entrypoints/ioc.py` without touching a use case.
"""

from __future__ import annotations

import asyncio
import logging

from photoshare.application.ports.mail import MailMessage, MailSender

log = logging.getLogger("photoshare.mail")


class BackgroundMailSender:
    def __init__(self, transport: MailSender) -> None:
        self._transport = transport
        self._pending: set[asyncio.Task[None]] = set()

    async def send(self, message: MailMessage) -> None:
        task = asyncio.get_running_loop().create_task(self._deliver(message))
        self._pending.add(task)  # a strong reference until it is done
        task.add_done_callback(self._pending.discard)

    async def _deliver(self, message: MailMessage) -> None:
        try:
            await self._transport.send(message)
        except Exception:
            log.exception("mail to %s (%s) could not be delivered", message.to, message.subject)

    async def drain(self) -> None:
        """Wait for every delivery started so far (shutdown, tests)."""
        while self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)
