"""Domain exceptions of the notifications package, with their messages built in."""

from __future__ import annotations

FONT_PACKAGES = "fonts-noto-cjk fonts-arphic-ukai fonts-arphic-uming fonts-hanazono"


class NoticeError(Exception):
    """Base class of every notifications error."""


class UnknownNotice(NoticeError):
    """A notice type code that is not in the catalog, or a format it does not offer."""

    def __init__(self, notice_type: str, fmt: str | None = None) -> None:
        self.notice_type = notice_type
        self.fmt = fmt
        if fmt is None:
            super().__init__(f"unknown notice type {notice_type!r}")
        else:
            super().__init__(f"notice type {notice_type!r} has no {fmt!r} format")


class RenderError(NoticeError):
    """A notice could not be rendered: a missing or empty context value, or a template fault."""

    def __init__(self, notice_type: str, message: str, *, missing: tuple[str, ...] = ()) -> None:
        self.notice_type = notice_type
        self.missing = missing
        super().__init__(f"{notice_type}: {message}")


class FontsMissing(NoticeError):
    """No CJK font is installed: a PDF would show boxes instead of Chinese, so we refuse."""

    def __init__(self) -> None:
        super().__init__(
            "未找到中文字体，生成的 PDF 将无法显示汉字，已拒绝生成。"
            f"请安装字体：apt-get install -y --no-install-recommends {FONT_PACKAGES}，"
            "或将授权字体（如仿宋_GB2312）放入 BANLI_FONTS_DIR 目录。 / "
            "No CJK font found (fc-list :lang=zh-cn is empty): the PDF would render boxes, so it was refused. "
            f"Install {FONT_PACKAGES} or put licensed fonts in BANLI_FONTS_DIR."
        )


class CatalogError(NoticeError):
    """The start-up check of the catalog found problems (missing templates, failing fixtures)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("notice catalog check failed:\n  " + "\n  ".join(problems))
