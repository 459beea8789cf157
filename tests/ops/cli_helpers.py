"""Running ``banli`` as a separate process against given settings (as an operator would)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def env_for(settings: Settings, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BANLI_")}
    env.update(BANLI_DATABASE_URL=settings.database_url, BANLI_VAR_DIR=str(settings.var_dir),
               BANLI_CHECK_TEMPLATES_ON_START="false", PYTHONPATH=str(ROOT), **extra)
    return env


def banli(settings: Settings, *args: str, timeout: float = 300, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "import sys, app; sys.exit(app.main())", *args], cwd=ROOT,
                          env=env_for(settings, **extra), capture_output=True, text=True, timeout=timeout)


def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], settings: Settings,
            *argv: str) -> tuple[int, str, str]:
    """``banli ARGV`` in this process with the environment naming ``settings`` (cheaper than a process)."""
    from app import main
    from settings import get_settings

    for key in [k for k in os.environ if k.startswith("BANLI_")]:
        monkeypatch.delenv(key)
    for key, value in env_for(settings).items():
        if key.startswith("BANLI_"):
            monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    try:
        code = main(list(argv))
    finally:
        get_settings.cache_clear()
    out = capsys.readouterr()
    return code, out.out, out.err


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(settings: Settings) -> Iterator[str]:
    """``banli serve`` in its own process until the block ends; yields its URL."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", "import sys, app; sys.exit(app.main())", "serve"], cwd=ROOT,
                            env=env_for(settings, BANLI_PORT=str(port), BANLI_SCHEDULER="off"),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180  # a loaded 2-core machine takes a while to import and migrate
        while True:
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=1).read()
                break
            except OSError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                assert time.monotonic() < deadline, "banli serve did not start"
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)
