"""The deployment files in deploy/ are checked with what this machine has.

- systemd units: ``systemd-analyze verify`` (offline), with the install paths pointed at this checkout;
- nginx: ``nginx -t`` on the example with a throwaway certificate (Debian's nginx 1.22);
- the compose file and the container image: there is no container engine here (the docker client has no
  daemon and no compose plugin), so they are parsed and checked for structure: services, replicas, start
  order, the ``banli check`` start condition, non-root multi-stage image with fonts — and every ``BANLI_``
  variable they set must be a real setting, every ``banli`` command a real command.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from cli.main import build_parser
from settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SETTINGS = {f"BANLI_{n.upper()}" for n in Settings.model_fields}
BANLI_BIN = ROOT / ".venv" / "bin" / "banli"


def _banli_vars(text: str) -> set[str]:
    return set(re.findall(r"\bBANLI_[A-Z0-9_]+", text))


def _commands(text: str) -> list[list[str]]:
    """Every ``banli …`` invocation written in ``text``, as argument lists."""
    out = []
    code = "\n".join(ln for ln in text.splitlines() if not ln.lstrip().startswith("#"))
    for m in re.finditer(r"(?<![\w-])banli(?:\"[ \t]*,[ \t]*\"|[ \t]+)([a-z][^&\"\n\]'>]*)", code):
        args = [a for a in re.split(r"[\s\"]+", m.group(1)) if a]
        if args:
            out.append(args)
    return out


def _parses(argv: list[str]) -> None:
    if argv[0] == "backup":  # the archive name is built by the shell: $(date …)
        argv = ["backup", "x.tar.gz"]
    try:
        build_parser().parse_args(argv)
    except SystemExit as exc:
        raise AssertionError(f"not a banli command line: banli {' '.join(argv)}") from exc


def test_every_setting_and_command_named_in_deploy_exists() -> None:
    files = [p for p in DEPLOY.rglob("*") if p.is_file()]
    assert len(files) >= 10
    seen: set[str] = set()
    for path in files:
        text = path.read_text(encoding="utf-8")
        unknown = _banli_vars(text) - SETTINGS
        assert not unknown, f"{path.relative_to(ROOT)} sets unknown settings: {sorted(unknown)}"
        for argv in _commands(text):
            _parses(argv)
            seen.add(argv[0])
    assert seen >= {"serve", "worker", "check", "migrate", "backup"}


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="SKIPPED: systemd-analyze not installed")
def test_systemd_units_verify(tmp_path: Path) -> None:
    assert BANLI_BIN.exists(), "the test runs from the project's .venv"
    env_file = tmp_path / "banli.env"
    env_file.write_text((DEPLOY / "systemd" / "banli.env.example").read_text(encoding="utf-8"))
    units = sorted((DEPLOY / "systemd").glob("banli-*.*"))
    assert {u.name for u in units} >= {"banli-web.service", "banli-worker.service", "banli-backup.service",
                                       "banli-backup.timer"}
    for unit in units:
        text = unit.read_text(encoding="utf-8").replace("/opt/banli/venv/bin/banli", str(BANLI_BIN))
        (tmp_path / unit.name).write_text(text.replace("/etc/banli/banli.env", str(env_file)), encoding="utf-8")
    res = subprocess.run(["systemd-analyze", "verify", *[str(tmp_path / u.name) for u in units]],
                         capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stderr
    for name in ("banli-web.service", "banli-worker.service"):
        text = (DEPLOY / "systemd" / name).read_text(encoding="utf-8")
        assert re.search(r"^ExecStartPre=\S*banli check ", text, re.M), f"{name}: banli check is the start condition"
        assert "User=banli" in text and "ProtectSystem=strict" in text
    assert "BANLI_SCHEDULER=off" in (DEPLOY / "systemd" / "banli-web.service").read_text(encoding="utf-8")


@pytest.mark.skipif(shutil.which("nginx") is None, reason="SKIPPED: nginx not installed (apt-get install nginx-light)")
def test_nginx_example_passes_nginx_t(tmp_path: Path) -> None:
    tls = tmp_path / "tls"
    tls.mkdir()
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=banli.test",
                    "-keyout", str(tls / "banli.key"), "-out", str(tls / "banli.crt")],
                   check=True, capture_output=True)
    site = (DEPLOY / "nginx" / "banli.conf").read_text(encoding="utf-8")
    site = site.replace("/etc/nginx/tls/", f"{tls}/").replace("/var/log/nginx/", f"{tmp_path}/") \
        .replace("/etc/nginx/banli-locations.conf", str(DEPLOY / "nginx" / "banli-locations.conf"))
    (tmp_path / "banli.conf").write_text(site, encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n access_log off;\n include {tmp_path}/banli.conf;\n}}\n", encoding="utf-8")
    res = subprocess.run(["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-e", "stderr"],
                         capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stderr
    assert "syntax is ok" in res.stderr
    loc = (DEPLOY / "nginx" / "banli-locations.conf").read_text(encoding="utf-8")
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in loc  # replaced, never appended to the client's
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in loc and "client_max_body_size 12m;" in loc
    assert "location /static/" in site and "ssl_certificate" in site


def test_compose_file_structure() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert set(services) >= {"db", "migrate", "web", "worker", "smtp", "proxy"}
    assert services["db"]["image"].startswith("postgres:15")  # pg_dump in the image is 15 too
    banli = {k: s for k, s in services.items() if s.get("image", "").startswith("banli:")}
    assert set(banli) == {"migrate", "web", "worker"}
    for name, svc in banli.items():
        env = svc["environment"]
        assert env["BANLI_DATABASE_URL"].startswith("postgresql+psycopg://") and "@db/" in env["BANLI_DATABASE_URL"]
        assert env["BANLI_SMTP_HOST"] == "smtp" and env["BANLI_SCHEDULER"] == "off"
        assert "files:/var/lib/banli/files" in svc["volumes"], f"{name} shares the files volume"
        assert (DEPLOY / svc["build"]["dockerfile"].removeprefix("deploy/")).exists()
        assert (DEPLOY / svc["env_file"]).with_suffix(".env.example").exists()
    assert services["web"]["deploy"]["replicas"] >= 2
    for name in ("web", "worker"):
        cmd = " ".join(services[name]["command"])
        assert "banli check" in cmd and "exec banli" in cmd, f"{name} starts only after banli check"
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["command"] == ["banli", "migrate"]
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    for vol in services["proxy"]["volumes"]:
        src = vol.split(":")[0]
        if src.startswith("./nginx/"):
            assert (DEPLOY / src).exists(), src
    subnet = compose["networks"]["default"]["ipam"]["config"][0]["subnet"]
    assert banli["web"]["environment"]["BANLI_FORWARDED_ALLOW_IPS"] == subnet


def test_container_image_definition() -> None:
    text = (DEPLOY / "container" / "Containerfile").read_text(encoding="utf-8")
    stages = re.findall(r"^FROM (\S+)(?: AS (\w+))?", text, re.M)
    assert len(stages) >= 2, "multi-stage"
    assert re.search(r"^COPY --from=build ", text, re.M)
    users = re.findall(r"^USER (\S+)", text, re.M)
    assert users and users[-1] not in ("root", "0"), "runs as a non-root user"
    for pkg in ("fonts-noto-cjk", "fonts-arphic-ukai", "fonts-hanazono", "postgresql-client"):
        assert pkg in text
    assert "fc-list :lang=zh-cn" in text, "the build fails without a Chinese font"
    assert re.search(r"^HEALTHCHECK .*", text, re.M) and 'CMD ["banli", "serve"]' in text
    for src in re.findall(r"^COPY (?!--)(\S+) ", text, re.M):
        assert (ROOT / src).exists(), f"COPY {src}: not in the repository"


def test_no_container_engine_here_is_said_in_the_docs() -> None:
    doc = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    assert "docker compose config" in doc and "not built" in doc
