"""`rasa run`, with the HTTP API switched on only when a token or JWT secret is in the environment.

Rasa takes `--auth-token` and `--jwt-secret` only on its command line, where every
local user can read them (`ps`). This launcher reads them from LOTSE_API_TOKEN /
LOTSE_JWT_SECRET instead and hands them to Rasa inside the process. Without either,
`--enable-api` is never passed: the model, tracker and conversation endpoints do not exist.

It also shapes the app Rasa builds (`hook_rasa_app`): `/` answers without Rasa's version, the
HTTP framing guard (bot/serving/http_guard.py) is on, without the API the body limit is the webhook's,
and the speed-ups (bot/serving/speedups.py) are applied – only here, only with LOTSE_SPEEDUPS on and
on the Rasa, sanic and SQLAlchemy versions they were written for.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import Any

from bot.serving import http_guard, speedups
from bot.serving.security import API_TOKEN_ENV, JWT_SECRET_ENV
from bot.settings import Settings, SettingsError, settings

API_FLAGS = ("--enable-api", "--auth-token", "--jwt-secret", "--jwt-method")
# Without the API, Rasa's server holds only the REST channel, which answers a body over its own
# MAX_BODY_BYTES (64 KiB) with a JSON 413; sanic refuses anything over this many times that before
# reading it. With the API on, /model takes model uploads: sanic's own limit (100 MB) stays.
WEBHOOK_BODY_LIMIT_FACTOR = 2


def _is_api_flag(arg: str) -> bool:
    """`-t…` (Rasa's short --auth-token) or any prefix argparse would expand to an API flag."""
    if arg.startswith("-t") and not arg.startswith("--"):
        return True
    return arg.startswith("--") and len(arg) > 2 and any(flag.startswith(arg) for flag in API_FLAGS)


def rasa_argv(args: list[str], environ: Mapping[str, str]) -> list[str]:
    """Rasa's argv: the given arguments (never API flags) plus the API settings from the environment."""
    refused = [arg for arg in args if _is_api_flag(arg.split("=", 1)[0])]
    if refused:
        raise SystemExit(f"pass API secrets via {API_TOKEN_ENV} / {JWT_SECRET_ENV}, not {refused[0]}")
    argv = ["rasa", *args]
    config = Settings.from_environ(environ)
    token, jwt_secret = config.secret("api_token"), config.secret("jwt_secret")
    if token or jwt_secret:
        argv.append("--enable-api")
    # `--flag=value`: a random secret may begin with "-", which argparse would take for a flag
    if token:
        argv.append(f"--auth-token={token}")
    if jwt_secret:
        argv += [f"--jwt-secret={jwt_secret}", "--jwt-method=HS256"]
    return argv


def hook_rasa_app(api_enabled: bool, speedups_enabled: bool | None = None) -> None:
    """Make Rasa build its app as Lotse serves it (Rasa imported here: after speedups.preload).

    `speedups_enabled` is LOTSE_SPEEDUPS, applied (or refused, with a log line) as the app is built;
    None leaves Rasa's code alone (a test building the app in its own process).
    """
    from rasa import server
    from rasa.core import run
    from sanic import Sanic, response
    from sanic.request import Request
    from sanic.response import HTTPResponse

    from bot.serving.channels import MAX_BODY_BYTES

    def add_root_route(app: Sanic) -> None:
        """`/` for liveness probes; Rasa's says "Hello from Rasa: <version>" to anyone who asks."""

        @app.get("/")
        async def alive(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

    rasa_configure_app = run.configure_app

    def configure_app(*args: Any, **kwargs: Any) -> Sanic:
        """Rasa's app, once Rasa's logging is set up (so the guard's line is in its log)."""
        http_guard.install()
        if speedups_enabled is not None:  # before the model and the tracker store are loaded
            speedups.apply(speedups_enabled)
        app: Sanic = rasa_configure_app(*args, **kwargs)
        if not api_enabled:
            app.config.REQUEST_MAX_SIZE = WEBHOOK_BODY_LIMIT_FACTOR * MAX_BODY_BYTES
        return app

    server.add_root_route = add_root_route  # called by both of Rasa's app builders, API or not
    run.configure_app = configure_app


def main() -> None:
    try:
        config = (
            settings()
        )  # every LOTSE_* checked before Rasa's slow start, not in the channel's constructor
        sys.argv = rasa_argv(sys.argv[1:], os.environ)
    except SettingsError as error:
        raise SystemExit(f"Lotse (Rasa) not started: {error}") from None
    api_enabled = "--enable-api" in sys.argv
    for name in (API_TOKEN_ENV, JWT_SECRET_ENV):  # not inherited by anything Rasa starts
        os.environ.pop(name, None)
    if speedups.fits(config.speedups):  # before Rasa's imports: saves ~5 s of every start
        speedups.preload()
    hook_rasa_app(api_enabled, config.speedups)
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
