"""The FastAPI application: API routers, HTML pages, static files, scheduler lifespan."""

from __future__ import annotations

import contextlib
import importlib
import logging
from collections.abc import AsyncIterator

from fastapi import Depends, FastAPI

from settings import Settings
from web import concurrency, edge, errors
from web.auth import TokenService
from web.login_delay import FailedLoginDelay
from web.proxy import TrustedProxies
from web.requestlog import RequestLogMiddleware
from workflow.accounts.throttle import AddressMemo
from workflow.portal.rate_limits import PublicLimits
from workflow.runtime import Engine, single_writer
from workflow.timesource import SystemTime, TimeSource

log = logging.getLogger(__name__)

# Routers are optional modules so the app grows one package at a time.
ROUTER_MODULES = (
    "web.api.auth",
    "web.api.account",
    "web.api.calendar",
    "web.api.disclosures",
    "web.api.public",
    "web.api.workorders",
    "web.api.golive",
    "web.api.reports",
    "web.api.admin",
    "web.api.agencies",
    "web.api.users",
    "web.api.health",
    "web.api.docs",
    "web.pages.routes",
)


def create_app(settings: Settings, engine: Engine, clock: TimeSource | None = None, *,
               run_scheduler: bool | None = None) -> FastAPI:
    """Build the app around an engine and a clock (tests pass a FixedTime)."""
    clock = clock or SystemTime()
    scheduler_on = settings.scheduler == "on" if run_scheduler is None else run_scheduler

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.check_templates_on_start:
            from notifications.catalog import check_catalog

            check_catalog(override_dir=settings.templates_override_dir)  # fails loudly on a broken template
        sched = None
        if scheduler_on:  # one in-process scheduler; BANLI_SCHEDULER=off for extra web replicas
            from workflow.sweeps.scheduler import start_scheduler

            sched = start_scheduler(app.state.settings, app.state.engine, app.state.clock)
        try:
            yield
        finally:
            concurrency.shutdown(app)
            if sched is not None:
                sched.shutdown(wait=False)

    # FastAPI's native OpenTelemetry hooks are off: nothing here exports traces, and checking the
    # global providers on every request cost ~7 % of the event loop under load (measured).
    app = FastAPI(title="办理 banli", version="0.1.0", lifespan=lifespan,
                  description="依申请公开与12345工单办理系统 API",
                  docs_url=None, redoc_url=None, openapi_url=None,  # served behind login by web.api.docs
                  telemetry={"tracing": False, "metrics": False, "logs": False},
                  dependencies=[Depends(edge.check_params)])  # every int/date parameter range-checked
    app.state.settings = settings
    app.state.engine = engine
    app.state.clock = clock
    app.state.trusted_proxies = TrustedProxies(settings.forwarded_allow_ips)
    app.state.web_secret = settings.resolved_secret_key()  # signs tokens, sessions, forms and portal challenges
    app.state.tokens = TokenService(app.state.web_secret, settings.token_ttl_seconds)
    app.state.login_memo = AddressMemo()  # addresses the login throttle refuses, remembered until their block ends
    errors.install(app)
    errors.install_domain(app)
    edge.install(app)  # control characters in URLs, NUL in bodies, the safety net for unstorable values
    app.add_middleware(FailedLoginDelay)  # refused logins answered late: a flood gets a few tries a second
    app.add_middleware(RequestLogMiddleware)  # outermost: log context (request id, user, agency) + access line
    concurrency.install(app, sqlite=single_writer(engine))
    # Public-side rate limits, counted in the database (shared by every instance), the same for the pages and the
    # API: look-ups, online submissions, wrong challenge answers (workflow.portal.rate_limits.PublicLimits).
    app.state.public_limits = PublicLimits.on(engine)
    for name in ROUTER_MODULES:
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        if hasattr(mod, "install"):
            mod.install(app)
        else:
            app.include_router(mod.router)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
