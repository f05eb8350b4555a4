"""A QR code as a Kivy texture: the rating token a citizen scans after the service."""
from __future__ import annotations

import qrcode
from kivy.graphics.texture import Texture

QUIET_ZONE = 2  # modules of white around the code, so a scanner finds its edges


def qr_matrix(text: str) -> list[list[bool]]:
    code = qrcode.QRCode(border=QUIET_ZONE, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(text)
    code.make(fit=True)
    return code.get_matrix()


def qr_texture(text: str) -> Texture:
    """One texel per module; the widget scales it up with 'nearest' so the edges stay sharp."""
    matrix = qr_matrix(text)
    size = len(matrix)
    # RGBA: four bytes a texel keeps every row aligned however many modules wide the code is.
    data = b"".join(b"\x00\x00\x00\xff" if dark else b"\xff\xff\xff\xff"
                    for row in reversed(matrix) for dark in row)
    texture = Texture.create(size=(size, size), colorfmt="rgba")
    texture.mag_filter = "nearest"
    texture.min_filter = "nearest"
    texture.blit_buffer(data, colorfmt="rgba", bufferfmt="ubyte")
    return texture
