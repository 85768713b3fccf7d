"""`QrRenderer` with the `qrcode` package: the short link as a PNG or an SVG.

Error correction M survives a smudge or a small logo and keeps the code small;
eight-pixel modules and the standard four-module quiet zone scan well from a screen.
"""

from __future__ import annotations

import functools
import io

import qrcode
import qrcode.constants
import qrcode.exceptions
import qrcode.image.svg

from photoshare.domain.errors import InvalidInput

_BOX_SIZE = 8
_BORDER = 4
_CACHE_SIZE = 4096  # a PNG is about 1 KiB: a few MiB at most


class QrcodeRenderer:
    """Implements `QrRenderer`. A render costs 10-15 ms of CPU, and a short link's code never
    changes, so renders are memoised per text: a hot QR code costs a dictionary lookup."""

    def __init__(self) -> None:
        self.png = functools.lru_cache(maxsize=_CACHE_SIZE)(self._png)  # type: ignore[method-assign]
        self.svg = functools.lru_cache(maxsize=_CACHE_SIZE)(self._svg)  # type: ignore[method-assign]

    def png(self, text: str) -> bytes:
        return self._png(text)

    def svg(self, text: str) -> bytes:
        return self._svg(text)

    def _png(self, text: str) -> bytes:
        out = io.BytesIO()
        self._code(text).make_image().save(out, "PNG")  # qrcode's PIL image takes the format
        return out.getvalue()

    def _svg(self, text: str) -> bytes:
        out = io.BytesIO()
        self._code(text).make_image(image_factory=qrcode.image.svg.SvgPathImage).save(out)
        return out.getvalue()

    @staticmethod
    def _code(text: str) -> qrcode.QRCode:
        code = qrcode.QRCode(
            error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=_BOX_SIZE, border=_BORDER
        )
        code.add_data(text)
        try:
            code.make(fit=True)
        except (qrcode.exceptions.DataOverflowError, ValueError) as exc:  # ValueError: "version 41"
            raise InvalidInput("the text is too long for a QR code", field="text") from exc
        return code
