#!/usr/bin/env python3
"""Converts an X window dump (what `xwd` writes) to a PNG, with the standard library only.

    xwd_to_png.py IN.xwd OUT.png    # prints "OUT.png: <width>x<height>, <n> colors"

Handles what X servers dump today: ZPixmap images of TrueColor or DirectColor
visuals, 16, 24 or 32 bits per pixel, in either byte order. Anything else is
refused with a message rather than converted wrongly.
"""

import struct
import sys
import zlib

# The XWD file header (X11/XWDFile.h): 25 big-endian CARD32 fields.
_FIELDS = (
    "header_size file_version pixmap_format pixmap_depth pixmap_width pixmap_height xoffset "
    "byte_order bitmap_unit bitmap_bit_order bitmap_pad bits_per_pixel bytes_per_line "
    "visual_class red_mask green_mask blue_mask bits_per_rgb colormap_entries ncolors "
    "window_width window_height window_x window_y window_bdrwidth"
).split()
_ZPIXMAP = 2
_TRUE_COLOR, _DIRECT_COLOR = 4, 5
_XWD_COLOR_SIZE = 12  # pixel CARD32, red/green/blue CARD16, flags and pad bytes


def _channel(mask):
    """(shift, max) of a colour mask, e.g. 0xff00 -> (8, 255)."""
    shift = (mask & -mask).bit_length() - 1
    return shift, mask >> shift


def read_xwd(data):
    """Returns (width, height, rows of RGB bytes)."""
    h = dict(zip(_FIELDS, struct.unpack_from(">25I", data)))
    if h["file_version"] != 7:
        raise ValueError("not an XWD version 7 file")
    if h["pixmap_format"] != _ZPIXMAP or h["visual_class"] not in (_TRUE_COLOR, _DIRECT_COLOR):
        raise ValueError("only ZPixmap dumps of TrueColor/DirectColor visuals are supported")
    bpp = h["bits_per_pixel"]
    if bpp not in (16, 24, 32):
        raise ValueError("unsupported bits per pixel: %d" % bpp)
    width, height, stride = h["pixmap_width"], h["pixmap_height"], h["bytes_per_line"]
    pixels = h["header_size"] + h["ncolors"] * _XWD_COLOR_SIZE
    if len(data) < pixels + stride * height:
        raise ValueError("truncated XWD file")
    order = "little" if h["byte_order"] == 0 else "big"
    step = bpp // 8
    channels = [_channel(h[m]) for m in ("red_mask", "green_mask", "blue_mask")]
    rows = []
    for y in range(height):
        start = pixels + y * stride
        row = bytearray()
        for x in range(width):
            p = int.from_bytes(data[start + x * step:start + (x + 1) * step], order)
            for shift, top in channels:
                row.append(((p >> shift) & top) * 255 // top)
        rows.append(bytes(row))
    return width, height, rows


def png(width, height, rows):
    """An 8-bit RGB PNG: each row with filter type 0, all in one IDAT chunk."""

    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body +
                struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    raw = b"".join(b"\x00" + row for row in rows)
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: xwd_to_png.py IN.xwd OUT.png")
    with open(argv[1], "rb") as f:
        data = f.read()
    try:
        image = read_xwd(data)
    except (ValueError, struct.error) as e:
        sys.exit("xwd_to_png.py: %s: %s" % (argv[1], e))
    with open(argv[2], "wb") as f:
        f.write(png(*image))
    width, height, rows = image
    colors = {row[i:i + 3] for row in rows for i in range(0, len(row), 3)}
    print("%s: %dx%d, %d colors" % (argv[2], width, height, len(colors)))


if __name__ == "__main__":
    main(sys.argv)
