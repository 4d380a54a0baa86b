"""The files every web site is asked for, /favicon.ico and /robots.txt, the same for `serve` and `site`.

Browsers ask for ``/favicon.ico`` whatever the page's ``<link rel="icon">`` says, and crawlers ask
for ``/robots.txt``; without them every visit logged a 404. The icon is drawn here from the same
shapes as ``static/favicon.svg`` (three linked clusters), as a PNG inside an ICO container, so it
needs no image library and is byte-identical on every build.
"""

from __future__ import annotations

import math
import struct
import zlib

SIZE = 32
#: static/favicon.svg on a 16-unit grid: (cx, cy, r, colour) and the two links between them.
CIRCLES = ((4, 8, 3, (0x1F, 0x5F, 0xA8)), (12, 4, 2.5, (0xC0, 0x39, 0x2B)), (12, 12, 2.5, (0x2E, 0x8B, 0x57)))
LINKS = (((4, 8), (12, 4)), ((4, 8), (12, 12)))
LINK_COLOUR, LINK_WIDTH = (0x55, 0x55, 0x55), 1.0
SAMPLES = 4  # per pixel and axis, for smooth edges


def _segment_distance(x: float, y: float, a: tuple[float, float], b: tuple[float, float]) -> float:
    (ax, ay), (bx, by) = a, b
    t = max(0.0, min(1.0, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)))
    return math.hypot(x - (ax + t * (bx - ax)), y - (ay + t * (by - ay)))


def _colour_at(x: float, y: float) -> tuple[int, int, int] | None:
    """The colour of the SVG at (x, y) in its 16-unit grid: circles are drawn over the links, as there."""
    for cx, cy, r, colour in CIRCLES:
        if (x - cx) ** 2 + (y - cy) ** 2 <= r * r:
            return colour
    if any(_segment_distance(x, y, a, b) <= LINK_WIDTH / 2 for a, b in LINKS):
        return LINK_COLOUR
    return None


def _pixels() -> bytes:
    """RGBA rows, each with PNG's filter byte 0."""
    scale = 16 / SIZE
    rows = bytearray()
    for py in range(SIZE):
        rows.append(0)
        for px in range(SIZE):
            hits = []
            for sy in range(SAMPLES):
                for sx in range(SAMPLES):
                    colour = _colour_at((px + (sx + 0.5) / SAMPLES) * scale, (py + (sy + 0.5) / SAMPLES) * scale)
                    if colour is not None:
                        hits.append(colour)
            if hits:
                rgb = [round(sum(c[i] for c in hits) / len(hits)) for i in range(3)]
                rows += bytes([*rgb, round(255 * len(hits) / SAMPLES ** 2)])
            else:
                rows += b"\0\0\0\0"
    return bytes(rows)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def favicon_png() -> bytes:
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)  # 8-bit RGBA, no interlace
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(_pixels(), 9))
            + _chunk(b"IEND", b""))


def favicon_ico() -> bytes:
    """An ICO holding one 32x32 PNG (every current browser reads PNG inside ICO)."""
    png = favicon_png()
    directory = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack("<BBBBHHII", SIZE, SIZE, 0, 0, 1, 32, len(png), 6 + 16)
    return directory + entry + png


def robots_txt(base: str) -> bytes:
    """Pages and data may be crawled; the SPARQL endpoint and search, which compute for each request, not.
    Paths are from the server's root, where `serve` and `site` put everything; the sitemap is named by the
    release's base, as the sitemap's own addresses are."""
    return (f"User-agent: *\nDisallow: /sparql\nDisallow: /search\nDisallow: /reconcile\nAllow: /\n\n"
            f"Sitemap: {base}sitemap.xml\n").encode("ascii")
