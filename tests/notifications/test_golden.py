"""Golden page images: the first page of every printable notice type, as reviewed, kept in the repository.

A rendering that differs beyond the threshold fails. Updating a golden file is a deliberate act:

    BANLI_UPDATE_GOLDENS=1 .venv/bin/python -m pytest tests/notifications/test_golden.py

(or ``bash scripts/update_goldens.sh``), then look at every changed PNG before committing it.
"""

from __future__ import annotations

import io
import os
import subprocess
import tempfile
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from notifications.catalog import CATALOG
from notifications.fixtures import fixture_context
from notifications.render import render

GOLDEN = Path(__file__).parent / "golden"
DPI = 30
PIXEL_TOLERANCE = 64  # grey levels: anti-aliasing and hinting noise stays below
MAX_CHANGED = 0.004  # share of pixels allowed to differ beyond PIXEL_TOLERANCE (a changed word is ~0.1 %)
PRINTABLE = sorted(code for code, spec in CATALOG.items() if "pdf" in spec.formats)


def first_page(pdf: bytes) -> Image.Image:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "doc.pdf"
        src.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", str(DPI), "-f", "1", "-l", "1", "-gray", "-png", str(src),
                        str(Path(tmp) / "p")], check=True, timeout=120)
        (png,) = Path(tmp).glob("p*.png")
        with Image.open(png) as im:
            return im.convert("L").copy()


def changed_share(a: Image.Image, b: Image.Image) -> float:
    if a.size != b.size:
        return 1.0
    diff = ImageChops.difference(a, b).point(lambda v: 255 if v > PIXEL_TOLERANCE else 0)
    changed = diff.histogram()[255]  # pixels set to 255 by the threshold
    return changed / (a.width * a.height)


@pytest.mark.parametrize("code", PRINTABLE)
def test_first_page_matches_the_reviewed_image(code, settings) -> None:
    image = first_page(render(code, fixture_context(code), "pdf", settings=settings).content)
    path = GOLDEN / f"{code}.png"
    if os.environ.get("BANLI_UPDATE_GOLDENS") == "1":
        buf = io.BytesIO()
        image.save(buf, format="PNG", optimize=True)
        path.write_bytes(buf.getvalue())
        pytest.skip(f"golden image written: {path.name} (review it before committing)")
    assert path.exists(), f"no golden image for {code}: run with BANLI_UPDATE_GOLDENS=1 and review it"
    with Image.open(path) as golden:
        share = changed_share(golden.convert("L"), image)
    assert share <= MAX_CHANGED, f"{code}: {share:.2%} of the page differs from {path.name}"


def test_the_diff_catches_a_changed_word(settings) -> None:
    from notifications.fixtures import reply_context

    ctx = reply_context("disclose", "provided")
    a = first_page(render("disclosure.reply", ctx, "pdf", settings=settings).content)
    ctx["notice"]["provided"]["documents"][0] = "《补偿安置协议样本》"
    b = first_page(render("disclosure.reply", ctx, "pdf", settings=settings).content)
    assert changed_share(a, a) == 0
    assert changed_share(a, b) > MAX_CHANGED
