"""``banli serve`` — API + web pages + scheduler on one process."""

from __future__ import annotations

import argparse
from typing import Any

from cli.common import engine_and_settings, print_admin_credentials, serving_lock
from settings import Settings, get_settings
from workflow.ops.logs import configure_logging


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from web.app import create_app
    from web.concurrency import tune_process

    with serving_lock(get_settings()):  # taken before migrating: never start on a database being restored
        engine, settings, result = engine_and_settings(bootstrap=True)
        configure_logging(settings.log_format, args.log_level or settings.log_level)
        host = args.host or settings.host
        port = args.port or settings.port
        tune_process()
        app = create_app(settings, engine)
        print(f"办理 banli 已启动：http://{host}:{port}/  （API 文档：http://{host}:{port}/docs）")
        print(f"数据库：{engine.url.render_as_string(hide_password=True)}；调度程序：{settings.scheduler}")
        print_admin_credentials(result)
        uvicorn.run(app, host=host, port=port, log_level=(args.log_level or settings.log_level).lower(),
                    access_log=False, log_config=None,  # our handlers (configure_logging), not uvicorn's
                    **uvicorn_proxy_options(settings))
    return 0


def uvicorn_proxy_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's proxy handling from ``BANLI_FORWARDED_ALLOW_IPS`` (never its own FORWARDED_ALLOW_IPS)."""
    allow = settings.forwarded_allow_ips.strip()
    return {"proxy_headers": bool(allow), "forwarded_allow_ips": allow or ""}


def register(sub: Any) -> None:
    p = sub.add_parser("serve", help="启动服务（网页 + API + 调度程序）")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument("--log-level", help="日志级别（默认 BANLI_LOG_LEVEL）")
    p.set_defaults(handler=_serve)
