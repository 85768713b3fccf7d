"""QrcodeRenderer: the PNG scans back to the link, the SVG is an SVG document."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
import zxingcpp
from PIL import Image

from photoshare.adapters.qr import QrcodeRenderer
from photoshare.domain.errors import InvalidInput

LINK = "https://photos.example.com/t/Xy7_k2Qp"


def test_png_scans_back_to_the_link() -> None:
    data = QrcodeRenderer().png(LINK)

    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        codes = zxingcpp.read_barcodes(image)
    assert [code.text for code in codes] == [LINK]
    assert codes[0].format == zxingcpp.BarcodeFormat.QRCode


def test_png_uses_error_correction_m() -> None:
    with Image.open(io.BytesIO(QrcodeRenderer().png(LINK))) as image:
        (code,) = zxingcpp.read_barcodes(image)
    assert code.ec_level == "M"


def test_svg_is_an_svg_document_with_the_code() -> None:
    data = QrcodeRenderer().svg(LINK)

    root = ET.fromstring(data)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.find("{http://www.w3.org/2000/svg}path") is not None


def test_text_too_long_for_any_qr_code_is_invalid_input() -> None:
    with pytest.raises(InvalidInput):
        QrcodeRenderer().png("x" * 5000)
