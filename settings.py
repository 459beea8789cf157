"""Settings: the one place that reads the environment (``BANLI_*``) and the optional settings file."""

from __future__ import annotations

import json
import os
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

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

    database_url: str = "sqlite:///./var/banli.db"
    var_dir: Path = Path("./var")
    files_dir: Path | None = None
    outbox_dir: Path | None = None
    templates_override_dir: Path | None = None
    fonts_dir: Path | None = None
    secret_key: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    # Reverse proxies whose X-Forwarded-For/-Proto are believed (comma-separated addresses or CIDR
    # networks, "*" for any peer); empty: none, the connecting peer is the client.
    forwarded_allow_ips: str = ""
    scheduler: Literal["on", "off"] = "on"
    scheduler_instance: str | None = None  # shown in sweep_status and outbox leases (default host:pid)
    sweep_batch_size: int = Field(500, ge=1, le=10_000)  # rows claimed per sweep transaction
    timezone: str = "Asia/Shanghai"
    token_ttl_seconds: int = 12 * 3600
    session_idle_seconds: int = 30 * 60
    login_max_failures: int = 5
    login_lockout_seconds: int = 15 * 60

    # Email (empty host: messages are written as .eml files under outbox_dir).
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    smtp_tls: bool = False
    smtp_timeout: float = 10.0
    mail_from: str = "banli@localhost"
    mail_from_name: str = "政府信息公开工作机构"
    outbox_max_attempts: int = 8
    outbox_backoff_seconds: list[int] = Field(default_factory=lambda: [0, 60, 300, 1800, 3600, 7200, 14400])

    # Render every notice template from its fixture at start-up (a broken override stops the start).
    check_templates_on_start: bool = True

    # Upload limits
    max_upload_bytes: int = 10 * 1024 * 1024
    allowed_upload_types: list[str] = Field(
        default_factory=lambda: ["application/pdf", "image/jpeg", "image/png",
                                 "application/vnd.openxmlformats-officedocument.wordprocessingml.document"]
    )

    # Bootstrap agency (used on first start when the agency table is empty)
    default_agency_code: str = "default"
    default_agency_name: str = "某县某局"

    @field_validator("database_url")
    @classmethod
    def _check_url(cls, v: str) -> str:
        if not (v.startswith("sqlite") or v.startswith("postgresql")):
            raise ValueError("BANLI_DATABASE_URL must be sqlite:///… or postgresql+psycopg://…")
        if v.startswith("postgresql://"):
            v = "postgresql+psycopg://" + v[len("postgresql://"):]
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
