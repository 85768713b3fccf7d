"""Log lines as text for people or as JSON for collectors (`PHOTOSHARE_LOG_FORMAT`), each
with the request id of the request it belongs to."""

from __future__ import annotations

import copy
import json
import logging
from datetime import UTC, datetime
from typing import Any

from litestar.logging import LoggingConfig
from litestar.logging.config import default_handlers

from photoshare.entrypoints.http.requestid import RequestIdFilter

TEXT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure(log_format: str) -> None:
    """Root logging for the CLI and the server workers."""
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT))
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)


def litestar_logging(log_format: str) -> LoggingConfig:
    """Litestar's own queue-backed handlers, with our format and the request-id filter. The
    filter sits on the queueing handler, so it runs in the request's context."""
    handlers = copy.deepcopy(default_handlers)
    handlers["queue_listener"]["filters"] = ["request_id"]
    return LoggingConfig(
        filters={"request_id": {"()": RequestIdFilter}},
        formatters={"standard": {"()": JsonFormatter} if log_format == "json" else {"format": TEXT}},
        handlers=handlers,
        root={"level": logging.getLevelName(logging.INFO), "handlers": ["queue_listener"]},
        log_exceptions="never",
    )
