"""Large PDFs generated at test time (no binaries committed): a scanned page."""

from __future__ import annotations

import io
import os
import zlib

from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject, NumberObject


def scan(side: int = 5200) -> bytes:
    """One A4 page drawing one ``side`` × ``side`` RGB image of noise (Flate, so the
    stream is as long as the pixels: 81 MB at 5200), as a scanner writes a page."""
    raw = os.urandom(side * side * 3)
    image = DecodedStreamObject()
    image._data = zlib.compress(raw, 1)  # noise does not compress: ≈ the raw size
    image.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Image"),
            NameObject("/Width"): NumberObject(side),
            NameObject("/Height"): NumberObject(side),
            NameObject("/ColorSpace"): NameObject("/DeviceRGB"),
            NameObject("/BitsPerComponent"): NumberObject(8),
            NameObject("/Filter"): NameObject("/FlateDecode"),
        }
    )
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    content = DecodedStreamObject()
    content.set_data(b"q 595 0 0 842 0 0 cm /Im0 Do Q")
    page[NameObject("/Contents")] = writer._add_object(content)
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/XObject"): DictionaryObject({NameObject("/Im0"): writer._add_object(image)})}
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
