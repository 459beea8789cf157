"""The body face of printed notices and its coverage of GB 2312 (the character set official documents use).

``python -m notifications.fonts`` prints the coverage of the face fontconfig picks for "FandolFang" (or of
the font files named on the command line).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

BODY_FACE = "FandolFang"


def gb2312_rows(first: int, last: int) -> list[str]:
    """The characters of GB 2312 rows ``first``–``last`` (0xB0–0xD7 level 1, 0xD8–0xF7 level 2, 0xA1–0xA9 symbols)."""
    out = []
    for b1 in range(first, last + 1):
        for b2 in range(0xA1, 0xFF):
            try:
                out.append(bytes([b1, b2]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return out


LEVELS = {"level1": (0xB0, 0xD7), "level2": (0xD8, 0xF7), "symbols": (0xA1, 0xA9)}


def coverage(font_file: Path) -> dict[str, tuple[int, int, str]]:
    """Per part of GB 2312: (covered, total, the first missing characters)."""
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    cmap = TTFont(str(font_file), fontNumber=0, lazy=True).getBestCmap()
    out = {}
    for name, (lo, hi) in LEVELS.items():
        chars = gb2312_rows(lo, hi)
        missing = [c for c in chars if ord(c) not in cmap]
        out[name] = (len(chars) - len(missing), len(chars), "".join(missing[:20]))
    return out


def face_file(family: str = BODY_FACE) -> Path | None:
    """The file fontconfig uses for ``family`` when it really has it (not a fallback), else None."""
    exe = shutil.which("fc-match")
    if exe is None:
        return None
    out = subprocess.run([exe, "-f", "%{family}\t%{file}", family], capture_output=True, text=True, timeout=20)
    families, _, path = out.stdout.partition("\t")
    return Path(path) if family in families.split(",") and path else None


def main(argv: list[str]) -> int:
    files = [Path(a) for a in argv] or [p for p in [face_file()] if p]
    if not files:
        print(f"{BODY_FACE} is not installed (scripts/_setup.sh fangsong_ensure)")
        return 1
    for f in files:
        for name, (ok, total, missing) in coverage(f).items():
            print(f"{f.name}\t{name}\t{ok}/{total}\t{missing}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
