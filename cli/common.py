"""Shared plumbing for CLI commands: settings, engine, first-start bootstrap, the clock."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import Engine

from db.engine import make_engine
from settings import Settings, get_settings
from workflow.agencies.bootstrap import BootstrapResult, ensure_database
from workflow.timesource import SystemTime


def now() -> datetime:
    return SystemTime().now()


def engine_and_settings(*, bootstrap: bool = True) -> tuple[Engine, Settings, BootstrapResult | None]:
    """The configured engine; migrates/bootstraps the database first unless told not to."""
    settings = get_settings()
    engine = make_engine(settings.database_url)
    result = ensure_database(engine, settings, now=now()) if bootstrap else None
    return engine, settings, result


def print_admin_credentials(result: BootstrapResult | None) -> None:
    if result and result.admin_username:
        print("已创建初始管理员账户（仅显示这一次，请登录后修改密码）：")
        print(f"  用户名：{result.admin_username}")
        print(f"  密码：  {result.admin_password}")


@contextlib.contextmanager
def serving_lock(settings: Settings) -> Iterator[None]:
    """Held while a server or worker runs (``banli restore`` refuses meanwhile); refused during a restore."""
    from workflow.ops.running import InstanceBusy, serving

    stack = contextlib.ExitStack()
    try:
        stack.enter_context(serving(settings))
    except InstanceBusy as exc:
        from cli.main import CliError

        raise CliError(str(exc), exit_code=1) from None
    with stack:
        yield
