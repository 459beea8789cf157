"""PDF output: WeasyPrint on the notice's HTML, refusing to run without a CJK font (no silent boxes).

``fonts_dir`` (settings) may hold licensed faces such as 仿宋_GB2312 or 方正小标宋简体: each file becomes an
``@font-face`` rule under every family name stored in the font, so the CSS font stacks pick them up.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from markupsafe import Markup

from notifications.errors import FontsMissing

log = logging.getLogger(__name__)
FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc", ".woff", ".woff2")


@lru_cache(maxsize=1)
def system_cjk_fonts() -> tuple[str, ...]:
    """Families fontconfig knows for zh-cn (``fc-list :lang=zh-cn family``); empty if none or no fc-list."""
    exe = shutil.which("fc-list")
    if exe is None:
        return ()
    try:
        out = subprocess.run([exe, ":lang=zh-cn", "family"], capture_output=True, text=True, timeout=20,
                             check=False).stdout
    except (OSError, subprocess.SubprocessError):  # pragma: no cover - fontconfig broken
        return ()
    return tuple(sorted({line.strip() for line in out.splitlines() if line.strip()}))


def _font_files(fonts_dir: Path | None) -> list[Path]:
    if fonts_dir is None or not fonts_dir.is_dir():
        return []
    return sorted(p for p in fonts_dir.rglob("*") if p.suffix.lower() in FONT_SUFFIXES and p.is_file())


def _family_names(path: Path) -> set[str]:
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    try:
        font = TTFont(str(path), fontNumber=0, lazy=True)
    except Exception:  # an unreadable font file is skipped, not fatal
        log.warning("cannot read font file %s", path)
        return set()
    names = {rec.toUnicode().strip() for rec in font["name"].names if rec.nameID in (1, 4, 16)}
    font.close()
    return {n for n in names if n and all(ch not in n for ch in "\"\\<>{};")}


@lru_cache(maxsize=4)
def font_face_css(fonts_dir: Path | None) -> Markup:
    """``@font-face`` rules for the fonts in ``fonts_dir`` (cached per directory)."""
    rules = []
    for path in _font_files(fonts_dir):
        for family in sorted(_family_names(path)):
            rules.append(f'@font-face {{ font-family: "{family}"; src: url("{path.resolve().as_uri()}"); }}')
    return Markup("\n".join(rules))


def ensure_cjk_fonts(fonts_dir: Path | None) -> None:
    """Raise FontsMissing unless fontconfig knows a zh-cn font or ``fonts_dir`` provides one."""
    if system_cjk_fonts() or font_face_css(fonts_dir):
        return
    raise FontsMissing()


def html_to_pdf(html: str, *, fonts_dir: Path | None, base_url: str | None = None) -> bytes:
    """Render the print HTML of a notice to PDF bytes."""
    ensure_cjk_fonts(fonts_dir)
    from weasyprint import HTML

    data: bytes = HTML(string=html, base_url=base_url or str(Path(__file__).parent)).write_pdf()
    return data
