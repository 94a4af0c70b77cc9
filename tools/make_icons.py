#!/usr/bin/env python3
"""Draws Prepoznaj's PNG icons with the standard library only (no PIL on this machine).

The mark is a calm, official shape: an open eye ("recognise") on the app's blue. Maskable icons keep the mark inside the 80 % safe zone.
Run: python3 tools/make_icons.py  (writes public/icons/*.png; the PNGs are committed).
"""
import math
import os
import struct
import zlib

BLUE = (27, 74, 122)
WHITE = (255, 255, 255)
AMBER = (242, 183, 5)
OUT = os.path.join(os.path.dirname(__file__), "..", "public", "icons")


def png(path, size, pixel):
    rows = []
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            row.extend(pixel(x + 0.5, y + 0.5))
        rows.append(bytes(row))
    raw = b"".join(rows)

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    with open(path, "wb") as out:
        out.write(b"\x89PNG\r\n\x1a\n")
        out.write(chunk(b"IHDR", header))
        out.write(chunk(b"IDAT", zlib.compress(raw, 9)))
        out.write(chunk(b"IEND", b""))


def coverage(distance):
    """Anti-aliased coverage of a shape edge at signed distance (pixels, negative inside)."""
    return max(0.0, min(1.0, 0.5 - distance))


def blend(under, over, alpha):
    return tuple(round(u + (o - u) * alpha) for u, o in zip(under, over))


def mark(size, scale, rounded, glyph):
    """Pixel function: background square (rounded or full-bleed) and the mark scaled by `scale`."""
    centre = size / 2
    radius_bg = size * 0.22 if rounded else 0

    def pixel(x, y):
        # Background: a rounded square, transparent outside.
        if rounded:
            dx = max(abs(x - centre) - (centre - radius_bg), 0)
            dy = max(abs(y - centre) - (centre - radius_bg), 0)
            bg_alpha = coverage(math.hypot(dx, dy) - radius_bg)
        else:
            bg_alpha = 1.0
        colour = BLUE
        unit = size * scale
        if glyph == "eye":
            # An open eye, "recognise": a lens shape (two circles' overlap), an amber iris
            # and a blue pupil.
            big, offset = unit * 0.42, unit * 0.24
            upper = math.hypot(x - centre, y - (centre + offset)) - big
            lower = math.hypot(x - centre, y - (centre - offset)) - big
            colour = blend(colour, WHITE, coverage(max(upper, lower)))
            iris = math.hypot(x - centre, y - centre) - unit * 0.13
            colour = blend(colour, AMBER, coverage(iris))
            pupil = math.hypot(x - centre, y - centre) - unit * 0.055
            colour = blend(colour, BLUE, coverage(pupil))
        elif glyph == "plus":
            # New observation: a plus sign.
            arm = unit * 0.09
            length = unit * 0.32
            horizontal = max(abs(x - centre) - length, abs(y - centre) - arm)
            vertical = max(abs(y - centre) - length, abs(x - centre) - arm)
            colour = blend(colour, WHITE, coverage(min(horizontal, vertical)))
        elif glyph == "phone":
            # Contacts: a simple handset made of two rounded ends and a bar.
            bar = max(abs((x - centre) + (y - centre)) / math.sqrt(2) - unit * 0.07,
                      abs((x - centre) - (y - centre)) / math.sqrt(2) - unit * 0.30)
            end1 = math.hypot(x - (centre - unit * 0.22), y - (centre - unit * 0.22)) - unit * 0.13
            end2 = math.hypot(x - (centre + unit * 0.22), y - (centre + unit * 0.22)) - unit * 0.13
            colour = blend(colour, WHITE, coverage(min(bar, end1, end2)))
        r, g, b = colour
        return bytes((r, g, b, round(255 * bg_alpha)))

    return pixel


def main():
    os.makedirs(OUT, exist_ok=True)
    png(os.path.join(OUT, "icon-192.png"), 192, mark(192, 1.0, True, "eye"))
    png(os.path.join(OUT, "icon-512.png"), 512, mark(512, 1.0, True, "eye"))
    # Maskable: full-bleed background, mark within the central 80 % safe zone.
    png(os.path.join(OUT, "icon-maskable-512.png"), 512, mark(512, 0.75, False, "eye"))
    png(os.path.join(OUT, "apple-touch-icon.png"), 180, mark(180, 0.9, False, "eye"))
    png(os.path.join(OUT, "shortcut-observe-96.png"), 96, mark(96, 1.0, True, "plus"))
    png(os.path.join(OUT, "shortcut-contacts-96.png"), 96, mark(96, 1.0, True, "phone"))


if __name__ == "__main__":
    main()
