"""Settings: the one place that reads the environment (``BANLI_*``) and the optional settings file."""

from __future__ import annotations

import json
import os
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict


def _settings_file_values() -> dict[str, Any]:
    """Values from the file named by BANLI_SETTINGS_FILE (TOML, YAML or JSON); lower priority than env."""
    path = os.environ.get("BANLI_SETTINGS_FILE")
    if not path:
        return {}
    p = Path(path)
    text = p.read_text(encoding="utf-8")
    if p.suffix in (".toml",):
        data: Any = tomllib.loads(text)
    elif p.suffix in (".yaml", ".yml"):
        data = yaml.safe_load(text) or {}
    else:
        data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError(f"settings file {path} must hold a mapping")
    return {str(k).lower(): v for k, v in data.items()}


class _FileSource(PydanticBaseSettingsSource):
    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:  # pragma: no cover
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        return _settings_file_values()


class Settings(BaseSettings):
    """Process-wide settings. Per-agency values (name, seal, remedy organ…) live in the agency table."""

    model_config = SettingsConfigDict(env_prefix="BANLI_", extra="ignore")

    # Every field has a description: docs/settings.md is generated from them (python -m cli.settings_doc).
    database_url: str = Field("sqlite:///./var/banli.db", description=(
        "The database. `sqlite:///path` (one machine; WAL mode) or `postgresql+psycopg://user@host/db` "
        "(several web replicas and workers). `postgresql://` is accepted and rewritten."))
    var_dir: Path = Field(Path("./var"), description=(
        "Working directory: the SQLite file by default, `secret_key`, `files/`, `outbox/`, import reports. "
        "Shared by every instance on one machine."))
    files_dir: Path | None = Field(None, description=(
        "Content-addressed documents and uploads (`<sha[:2]>/<sha256>`); default `<var_dir>/files`. "
        "Shared storage when several machines serve the instance. Included in `banli backup`."))
    outbox_dir: Path | None = Field(None, description=(
        "Where emails are written as `.eml` files when no SMTP host is set; default `<var_dir>/outbox`."))
    templates_override_dir: Path | None = Field(None, description=(
        "Per-agency notice template overrides: `<dir>/<agency code>/` mirroring `notifications/templates/`; "
        "checked at start-up."))
    fonts_dir: Path | None = Field(None, description=(
        "Extra fonts for PDF notices (licensed 仿宋_GB2312, 方正小标宋 …), used before the system fonts."))
    secret_key: str | None = Field(None, description=(
        "Signs web sessions and API tokens. Unset: generated once into `<var_dir>/secret_key` (kept by "
        "`banli backup`). Set the same value on every instance; changing it logs everyone out."))
    host: str = Field("127.0.0.1", description="Address `banli serve` listens on (`0.0.0.0` in a container).")
    port: int = Field(8000, description="Port `banli serve` listens on.")
    forwarded_allow_ips: str = Field("", description=(
        "Reverse proxies whose `X-Forwarded-For`/`X-Forwarded-Proto` are believed: comma-separated "
        "addresses or CIDR networks (`127.0.0.1`, `10.0.0.0/8`); `*` trusts every peer (unsafe unless "
        "only the proxy can reach the port). Empty: none — the connecting peer is the client. Used by "
        "uvicorn (client address, https scheme → Secure cookies) and by the per-address limits."))
    public_url: str = Field("", description=(
        "The address applicants reach this server at (`https://gk.example.gov.cn`, the reverse proxy's). "
        "Notices of an agency that sets no 查询网址 of its own name its look-up page here "
        "(`<public_url>/gongkai/<code>/chaxun`), as does the front desk's receipt page. Empty: such notices give "
        "no web address, and the receipt page the address the clerk's browser used."))
    scheduler: Literal["on", "off"] = Field("on", description=(
        "`on`: `banli serve` also runs the sweeps. `off` for extra web replicas; run `banli worker` instead."))
    scheduler_instance: str | None = Field(None, description=(
        "Name of this process in the scheduler status and outbox leases; default `host:pid`."))
    sweep_batch_size: int = Field(500, ge=1, le=10_000, description=(
        "Rows a sweep claims per transaction (docs/scheduler.md)."))
    timezone: str = Field("Asia/Shanghai", description=(
        "Time zone in which days are decided (deadlines, reports). Agencies in China keep the default."))
    token_ttl_seconds: int = Field(12 * 3600, description=(
        "Lifetime of an API token and the longest a web session lasts, in seconds."))
    session_idle_seconds: int = Field(30 * 60, description="A web session ends after this many idle seconds.")
    login_max_failures: int = Field(5, ge=1, description=(
        "Failed logins for one login name within `login_lockout_seconds` that lock it (counted the same way "
        "whether or not an account has the name; a successful login clears the count)."))
    login_lockout_seconds: int = Field(15 * 60, ge=1, description=(
        "How long a locked login name stays locked, in seconds (and the window its failures are counted in)."))
    login_ip_max_failures: int = Field(30, ge=1, description=(
        "Failed logins from one client address within `login_ip_window_seconds` after which that address is "
        "refused (429) before any password is checked; successful logins do not count, so an office behind "
        "one NAT address is not held up by its own colleagues."))
    login_ip_window_seconds: int = Field(15 * 60, ge=1, description=(
        "Window of the per-address login limit, and how long an address stays refused once it reaches it."))
    login_failure_delay_seconds: float = Field(1.0, ge=0, le=10, description=(
        "A refused login (wrong name or password, locked name, refused address: 401/429 from `/api/token` and "
        "the login page) is answered no sooner than this many seconds after it arrived — held on the event "
        "loop, costing no thread, no CPU and no database. A client that tries password after password, one "
        "answer at a time, then gets a few attempts a second instead of thousands, and the answers for "
        "unknown, wrong and locked names take the same time. 0: answer at once."))
    login_failure_delay_max_held: int = Field(1000, ge=0, description=(
        "At most this many refused logins are held at once per process; beyond it they are answered at "
        "once (a flood with thousands of parallel connections is for the reverse proxy's `limit_conn`)."))

    # Email (empty host: messages are written as .eml files under outbox_dir).
    smtp_host: str = Field("", description=(
        "SMTP relay. Empty: every email is written as an `.eml` file under `outbox_dir` (nothing is lost)."))
    smtp_port: int = Field(25, description="SMTP port (587 with STARTTLS, 465 with TLS).")
    smtp_username: str = Field("", description="SMTP login; empty: no authentication.")
    smtp_password: str = Field("", description="SMTP password (prefer the settings file or a secret store).")
    smtp_starttls: bool = Field(False, description="Upgrade the SMTP connection with STARTTLS.")
    smtp_tls: bool = Field(False, description="Connect to the SMTP relay over TLS from the start (port 465).")
    smtp_timeout: float = Field(10.0, description="Seconds before an SMTP connection or command gives up.")
    mail_from: str = Field("banli@localhost", description="Sender address of every email.")
    mail_from_name: str = Field("政府信息公开工作机构", description=(
        "Sender display name when the agency has no name of its own."))
    outbox_max_attempts: int = Field(8, description=(
        "Delivery attempts of one notice before it becomes a dead letter (shown to the administrator)."))
    outbox_lease_seconds: int = Field(60, ge=5, description=(
        "How long a worker's claim on a notice lasts, judged by the database's clock and renewed while its batch "
        "is sent: a killed worker's notices are taken over by another within this time."))
    outbox_backoff_seconds: list[int] = Field(
        default_factory=lambda: [0, 60, 300, 1800, 3600, 7200, 14400], description=(
            "Wait before each attempt, in seconds (entry k before attempt k+1; the last repeats). "
            "In the environment: a JSON list, e.g. `[0,60,300]`."))

    check_templates_on_start: bool = Field(True, description=(
        "Render every notice template from its fixture at start-up: a broken override stops the start."))

    max_upload_bytes: int = Field(10 * 1024 * 1024, description="Largest accepted upload, in bytes.")
    max_request_bytes: int = Field(12 * 1024 * 1024, description=(
        "Largest request body, in bytes, refused (413) before anything is read or written: an upload with the "
        "form around it. 12345 and go-live imports may send up to 210 MB. Keep nginx's `client_max_body_size` "
        "the same."))
    allowed_upload_types: list[str] = Field(
        default_factory=lambda: ["application/pdf", "image/jpeg", "image/png",
                                 "application/vnd.openxmlformats-officedocument.wordprocessingml.document"],
        description="Content types accepted for uploads (a JSON list in the environment).")

    default_agency_code: str = Field("default", description=(
        "Code of the agency created on first start (when there is none) and used by CLI commands "
        "without `--agency`."))
    default_agency_name: str = Field("某县某局", description="Name of the agency created on first start.")

    log_format: Literal["text", "json"] = Field("text", description=(
        "`json`: one JSON object per log line with the request id, user id and agency of the request "
        "(for journald/Loki/ELK); `text`: readable lines."))
    log_level: str = Field("INFO", description="Level of the application's logs (`DEBUG`, `INFO`, `WARNING` …).")

    @field_validator("database_url")
    @classmethod
    def _check_url(cls, v: str) -> str:
        if not (v.startswith("sqlite") or v.startswith("postgresql")):
            raise ValueError("BANLI_DATABASE_URL must be sqlite:///… or postgresql+psycopg://…")
        if v.startswith("postgresql://"):
            v = "postgresql+psycopg://" + v[len("postgresql://"):]
        return v

    @field_validator("public_url")
    @classmethod
    def _check_public_url(cls, v: str) -> str:
        v = v.strip().rstrip("/")
        parts = urlsplit(v)
        if v and (parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment):
            raise ValueError("BANLI_PUBLIC_URL must be an address such as https://gk.example.gov.cn")
        return v

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _FileSource(settings_cls))

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def files_path(self) -> Path:
        return self.files_dir or self.var_dir / "files"

    @property
    def outbox_path(self) -> Path:
        return self.outbox_dir or self.var_dir / "outbox"

    def resolved_secret_key(self) -> str:
        """The configured secret, or one generated once and kept in var/secret_key."""
        if self.secret_key:
            return self.secret_key
        path = self.var_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        import secrets

        self.var_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key)
        path.chmod(0o600)
        return key


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The cached settings object; tests call ``get_settings.cache_clear()`` after changing env."""
    return Settings()
