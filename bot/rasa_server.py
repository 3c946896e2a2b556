"""`rasa run`, with the HTTP API switched on only when a token or JWT secret is in the environment.

Rasa takes `--auth-token` and `--jwt-secret` only on its command line, where every
local user can read them (`ps`). This launcher reads them from LOTSE_API_TOKEN /
LOTSE_JWT_SECRET instead and hands them to Rasa inside the process. Without either,
`--enable-api` is never passed: the model, tracker and conversation endpoints do not exist.
"""

from __future__ import annotations

import os
import sys

from bot import speedups
from bot.security import API_TOKEN_ENV, JWT_SECRET_ENV

API_FLAGS = ("--enable-api", "--auth-token", "--jwt-secret", "--jwt-method")


def _is_api_flag(arg: str) -> bool:
    """`-t…` (Rasa's short --auth-token) or any prefix argparse would expand to an API flag."""
    if arg.startswith("-t") and not arg.startswith("--"):
        return True
    return arg.startswith("--") and len(arg) > 2 and any(flag.startswith(arg) for flag in API_FLAGS)


def rasa_argv(args: list[str], environ: dict[str, str]) -> list[str]:
    """Rasa's argv: the given arguments (never API flags) plus the API settings from the environment."""
    refused = [arg for arg in args if _is_api_flag(arg.split("=", 1)[0])]
    if refused:
        raise SystemExit(f"pass API secrets via {API_TOKEN_ENV} / {JWT_SECRET_ENV}, not {refused[0]}")
    argv = ["rasa", *args]
    token, jwt_secret = environ.get(API_TOKEN_ENV), environ.get(JWT_SECRET_ENV)
    if token or jwt_secret:
        argv.append("--enable-api")
    # `--flag=value`: a random secret may begin with "-", which argparse would take for a flag
    if token:
        argv.append(f"--auth-token={token}")
    if jwt_secret:
        argv += [f"--jwt-secret={jwt_secret}", "--jwt-method=HS256"]
    return argv


def main() -> None:
    environ = dict(os.environ)
    sys.argv = rasa_argv(sys.argv[1:], environ)
    for name in (API_TOKEN_ENV, JWT_SECRET_ENV):  # not inherited by anything Rasa starts
        os.environ.pop(name, None)
    speedups.preload()  # before Rasa's imports: saves ~5 s of every start (see bot/speedups.py)
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
