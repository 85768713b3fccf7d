"""A local imitation of Cloudinary's Upload API, so the real SDK can be tested without the network.

It answers `POST /v1_1/<cloud>/image/upload` and `/image/destroy` the way Cloudinary
does: multipart form in, JSON out, and a 401 unless the request is signed with the
account's secret (the string to sign is rebuilt here independently of the SDK).
`mode` makes it misbehave: "success", "bad_request" (400), "server_error" (500),
"bad_gateway" (502 with an HTML page) or "slow" (answers only after `slow_seconds`).
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Literal

from PIL import Image

Mode = Literal["success", "bad_request", "server_error", "bad_gateway", "slow"]
# Cloudinary signs every parameter except these.
UNSIGNED = {"file", "api_key", "resource_type", "cloud_name", "signature"}
MAX_CLOCK_SKEW = 3600


@dataclass
class Received:
    action: str
    fields: dict[str, str]
    file: bytes | None = None
    filename: str | None = None


@dataclass
class CloudinaryStub:
    cloud_name: str
    api_key: str
    api_secret: str
    signature_algorithm: str = "sha1"
    mode: Mode = "success"
    slow_seconds: float = 3.0
    received: list[Received] = field(default_factory=list)
    assets: dict[str, bytes] = field(default_factory=dict)
    delivery: dict[str, str] = field(default_factory=dict)  # public id -> upload | authenticated
    _release: threading.Event = field(default_factory=threading.Event)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> CloudinaryStub:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True).start()
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._release.set()  # let "slow" handlers finish at once
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    def string_to_sign(self, fields: dict[str, str]) -> str:
        pairs = [f"{k}={v}".replace("&", "%26") for k, v in fields.items() if k not in UNSIGNED and v]
        return "&".join(sorted(pairs))

    def expected_signature(self, fields: dict[str, str]) -> str:
        digest = hashlib.new(self.signature_algorithm)
        digest.update((self.string_to_sign(fields) + self.api_secret).encode())
        return digest.hexdigest()

    def answer(self, path: str, received: Received) -> tuple[int, object]:
        """Status and JSON body for one request, as Cloudinary would give them."""
        parts = path.strip("/").split("/")
        if len(parts) != 4 or parts[0] != "v1_1" or parts[2] != "image" or parts[1] != self.cloud_name:
            return 404, {"error": {"message": f"Invalid cloud_name {parts[1] if len(parts) > 1 else ''}"}}
        if self.mode == "bad_request":
            return 400, {"error": {"message": "Invalid image file"}}
        if self.mode == "server_error":
            return 500, {"error": {"message": "General Error"}}
        fields = received.fields
        if fields.get("api_key") != self.api_key:
            return 401, {"error": {"message": f"Unknown API key {fields.get('api_key')}"}}
        timestamp = fields.get("timestamp", "")
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > MAX_CLOCK_SKEW:
            return 400, {"error": {"message": "Stale request - reported time is too far from now"}}
        if fields.get("signature") != self.expected_signature(fields):
            wanted = self.string_to_sign(fields)
            return 401, {"error": {"message": f"Invalid Signature. String to sign - '{wanted}'."}}
        if received.action == "upload":
            return self._upload(received)
        if received.action == "destroy":
            public_id = fields.get("public_id", "")
            if self.delivery.get(public_id) != fields.get("type", "upload"):
                return 200, {"result": "not found"}
            self.delivery.pop(public_id, None)
            found = self.assets.pop(public_id, None)
            return 200, {"result": "ok" if found is not None else "not found"}
        if received.action == "rename":
            return self._rename(fields)
        return 404, {"error": {"message": f"Unknown action {received.action}"}}

    def _rename(self, fields: dict[str, str]) -> tuple[int, object]:
        """Only a change of delivery type, as the adapter uses it (same public id)."""
        public_id = fields.get("from_public_id", "")
        if public_id not in self.assets or self.delivery.get(public_id) != fields.get("type", "upload"):
            return 404, {"error": {"message": f"Resource not found - {public_id}"}}
        self.delivery[public_id] = fields.get("to_type", "upload")
        return 200, {"public_id": public_id, "type": self.delivery[public_id]}

    def _upload(self, received: Received) -> tuple[int, object]:
        if not received.file:
            return 400, {"error": {"message": "Missing required parameter - file"}}
        public_id = received.fields.get("public_id") or uuid.uuid4().hex
        try:
            with Image.open(io.BytesIO(received.file)) as image:
                width, height, fmt = image.width, image.height, (image.format or "").lower()
        except OSError:
            return 400, {"error": {"message": "Invalid image file"}}
        fmt = "jpg" if fmt == "jpeg" else fmt
        self.assets[public_id] = received.file
        self.delivery[public_id] = received.fields.get("type", "upload")
        version = int(time.time())
        path = f"res.cloudinary.com/{self.cloud_name}/image/upload/v{version}/{public_id}.{fmt}"
        return 200, {
            "asset_id": uuid.uuid4().hex,
            "public_id": public_id,
            "version": version,
            "version_id": uuid.uuid4().hex,
            "signature": hashlib.sha1(received.file).hexdigest(),
            "width": width,
            "height": height,
            "format": fmt,
            "resource_type": "image",
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "tags": [],
            "bytes": len(received.file),
            "type": self.delivery[public_id],
            "etag": hashlib.md5(received.file).hexdigest(),
            "placeholder": False,
            "url": f"http://{path}",
            "secure_url": f"https://{path}",
            "original_filename": (received.filename or "file").rsplit(".", 1)[0],
            "api_key": self.api_key,
        }

    def wait_if_slow(self) -> None:
        if self.mode == "slow":
            self._release.wait(self.slow_seconds)


def parse_form(content_type: str, body: bytes) -> tuple[dict[str, str], bytes | None, str | None]:
    """Fields, file bytes and file name of a multipart/form-data body."""
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
    )
    assert isinstance(message, EmailMessage)
    fields: dict[str, str] = {}
    file: bytes | None = None
    filename: str | None = None
    for part in message.iter_parts():
        assert isinstance(part, EmailMessage)
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        assert isinstance(name, str)
        assert isinstance(payload, bytes)
        if name == "file":
            file, filename = payload, part.get_filename()
        else:
            fields[name] = payload.decode()
    return fields, file, filename


def _handler_for(stub: CloudinaryStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            fields, file, filename = parse_form(self.headers.get("Content-Type", ""), body)
            action = self.path.rstrip("/").rsplit("/", 1)[-1]
            stub.received.append(Received(action, fields, file, filename))
            stub.wait_if_slow()
            if stub.mode == "bad_gateway":
                self._send(502, b"<html><body>Bad Gateway</body></html>", "text/html")
                return
            status, answer = stub.answer(self.path, stub.received[-1])
            self._send(status, json.dumps(answer).encode(), "application/json")

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("X-Request-Id", uuid.uuid4().hex)
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                pass  # the client gave up waiting (the timeout test): nothing to answer

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler
