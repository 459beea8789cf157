"""The wheel works on its own (issue 17): build it, install it into a clean virtual environment outside the
checkout, and run `banli migrate`, `banli hotline import` with the default mapping and profile, a registration and
a notice render — all from the installed package, none from this source tree. Developer tools (tools/) are not in it.

The new environment takes the project's dependencies from this virtual environment through a .pth line (no
download); only the wheel itself is installed into it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow

SCRIPT = r'''
import sys
from datetime import UTC, datetime
from pathlib import Path

import openpyxl

import workflow, notifications
assert "site-packages" in workflow.__file__ and "{root}" not in workflow.__file__, workflow.__file__
from db.engine import make_engine
from notifications.fixtures import fixture_context
from notifications.render import render
from settings import get_settings
from workflow.accounts.principal import Principal
from workflow.accounts.users import create_user
from workflow.disclosure import actions as wf
from workflow.disclosure.payloads import RegisterIn
from workflow.hotline.batch import import_file
from workflow.hotline.mapping import load_mapping
from states.roles import Role

now = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
settings = get_settings()
engine = make_engine(settings.database_url)
u = create_user(engine, agency_code=settings.default_agency_code, username="desk", password="password-123",
                roles=["front_desk", "leader"], display_name="前台", now=now)
desk = Principal(u.id, u.agency_id, frozenset({{Role.FRONT_DESK, Role.LEADER}}), "前台")
r = wf.register(engine, RegisterIn.model_validate({{
    "applicant_type": "natural", "applicant_category": "natural", "applicant_name": "张三",
    "id_type": "resident_id", "id_number": "11010519491231002X", "phone": "13800138000",
    "email": "zhangsan@example.com", "address": "某县人民路1号", "postal_code": "675000",
    "description": "2025年本县农村道路建设项目的招标文件", "form_wanted": "electronic", "obtain_way": "email",
    "channel": "in_person", "received_at": "2026-03-02T09:30:00+08:00"}}), desk, now)
assert r.tracking_no.startswith("依申"), r
wb = openpyxl.Workbook()
ws = wb.active
ws.append(["工单编号", "来电时间", "来电人", "联系电话", "诉求类型", "紧急程度", "诉求标题", "诉求内容"])
ws.append(["GD2026030200001", "2026-03-02 09:15", "李四", "13987654321", "投诉", "一般", "路灯不亮", "人民路路灯不亮"])
wb.save("orders.xlsx")
report = import_file(engine, Path("orders.xlsx"), load_mapping(), desk, now)
assert report.created == 1 and not report.errors, report.to_dict()
doc = render("disclosure.receipt", fixture_context("disclosure.receipt"), "pdf", settings=settings)
assert doc.content.startswith(b"%PDF"), doc.filename
print("OK", r.tracking_no, report.created, len(doc.content))
'''


def _copy_tree(dest: Path) -> None:
    """The files git knows (tracked or new, not ignored): the wheel is built from what would be committed."""
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout.split("\n")
    for rel in filter(None, out):
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)


def test_the_wheel_installs_and_runs_outside_the_checkout(tmp_path: Path) -> None:
    src, dist, work = tmp_path / "src", tmp_path / "dist", tmp_path / "work"
    for d in (src, dist, work):
        d.mkdir()
    _copy_tree(src)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist),
                    str(src)], check=True, capture_output=True)
    (wheel,) = dist.glob("banli-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "workflow/hotline/data/mappings/default.yaml" in names
    assert "workflow/hotline/data/profiles/yunnan_county.yaml" in names
    assert "workflow/calendar/data/fixed_holidays.yaml" in names
    assert not [n for n in names if n.startswith(("tools/", "tests/", "bench/"))]

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    site = Path(subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    # dependencies from this environment (a plain path: its .pth files, e.g. the editable install, are not run)
    (site / "_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "-q", str(wheel)],
                   check=True, capture_output=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BANLI_", "PYTHON"))}
    env.update(BANLI_DATABASE_URL=f"sqlite:///{work / 'banli.db'}", BANLI_VAR_DIR=str(work / "var"),
               BANLI_SECRET_KEY="wheel-test-secret-key-0123456789abcdef")
    migrate = subprocess.run([str(venv / "bin" / "banli"), "migrate"], cwd=work, env=env, capture_output=True,
                             text=True, timeout=300)
    assert migrate.returncode == 0, migrate.stdout + migrate.stderr
    run = subprocess.run([str(py), "-c", SCRIPT.format(root=str(ROOT))], cwd=work, env=env, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0 and run.stdout.startswith("OK"), run.stdout + run.stderr
