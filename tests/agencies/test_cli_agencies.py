"""``banli agency create|list|show|edit|deactivate|activate`` on a fresh instance, as an operator types them."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import main
from settings import get_settings


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("BANLI_DATABASE_URL", f"sqlite:///{tmp_path}/cli.db")
    monkeypatch.setenv("BANLI_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_county_from_the_command_line(cli_env: Path, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = run(capsys, "agency", "create", "county", "某某县人民政府")
    assert code == 0, err
    assert "已创建机关 county：某某县人民政府（人民政府" in out and "banli user create" in out
    for code_, name in (("land", "某某县自然资源局"), ("edu", "某某县教育体育局"), ("town", "某某县甲镇人民政府")):
        code, out, err = run(capsys, "agency", "create", code_, name, "--parent", "county")
        assert code == 0, err
    code, out, _ = run(capsys, "agency", "list")
    lines = out.splitlines()
    assert [ln.split()[0] for ln in lines[1:]] == ["county", "edu", "land", "town", "default"]
    assert "　某某县自然资源局" in out  # indented under the county
    code, out, _ = run(capsys, "agency", "show", "land")
    assert "上级机关：某某县人民政府（county）" in out
    assert "按上下级关系建议：行政复议机关 某某县人民政府，管辖法院 某某县人民法院" in out
    assert "第二十四条第一款第（一）项" in out
    assert "文书所需设置尚缺：" in out and "通信地址" in out
    code, out, _ = run(capsys, "agency", "show", "county")
    assert "下级机关：某某县教育体育局（edu）、某某县自然资源局（land）、某某县甲镇人民政府（town）" in out

    code, out, err = run(capsys, "agency", "create", "land", "重复的局")
    assert code == 2 and "机关代码“land”已被使用" in err
    code, out, err = run(capsys, "agency", "edit", "county", "--parent", "town")
    assert code == 2 and "不能把机关挂在它自己或它的下级机关之下" in err
    code, out, err = run(capsys, "agency", "edit", "edu", "--name", "某某县教育局", "--no-parent")
    assert code == 0 and "某某县教育局" in out
    code, out, _ = run(capsys, "agency", "show", "edu")
    assert "上级机关：无" in out

    code, out, err = run(capsys, "agency", "deactivate", "county")
    assert code == 2 and "其下还有在用的机关" in err and "停用不会删除任何记录" in err
    code, out, err = run(capsys, "agency", "deactivate", "edu")
    assert code == 0, err
    code, out, _ = run(capsys, "agency", "list")
    assert "已停用" in out
    monkeypatch.setattr(sys, "stdin", io.StringIO("a-good-password\n"))
    code, out, err = run(capsys, "user", "create", "late", "--agency", "edu", "--role", "officer")
    assert code == 2 and "已停用" in err
    assert run(capsys, "agency", "activate", "edu")[0] == 0
