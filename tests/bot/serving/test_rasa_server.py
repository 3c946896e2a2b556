"""The Rasa launcher: the HTTP API exists only with a token or JWT secret, never from the command line."""

from __future__ import annotations

import pytest

from bot.serving.rasa_server import rasa_argv

BASE = ["run", "--port", "5005"]


@pytest.mark.parametrize(
    ("environ", "added"),
    [
        ({}, []),
        ({"LOTSE_API_TOKEN": "t"}, ["--enable-api", "--auth-token=t"]),
        ({"LOTSE_JWT_SECRET": "j"}, ["--enable-api", "--jwt-secret=j", "--jwt-method=HS256"]),
        (
            {"LOTSE_API_TOKEN": "t", "LOTSE_JWT_SECRET": "j"},
            ["--enable-api", "--auth-token=t", "--jwt-secret=j", "--jwt-method=HS256"],
        ),
        ({"LOTSE_API_TOKEN": ""}, []),
    ],
)
def test_api_flags_come_only_from_the_environment(environ: dict[str, str], added: list[str]) -> None:
    assert rasa_argv(BASE, environ) == ["rasa", *BASE, *added]


@pytest.mark.parametrize(
    "flag",
    ["--enable-api", "--auth-token=x", "--jwt-secret", "-t", "-tsecret", "--auth-tok", "--enable-a", "--jwt"],
)
def test_api_flags_on_the_command_line_are_refused(flag: str) -> None:
    with pytest.raises(SystemExit, match="LOTSE_API_TOKEN"):
        rasa_argv([*BASE, flag], {})


@pytest.mark.parametrize("arg", ["--port", "--model", "--endpoints=x", "-p", "--"])
def test_other_arguments_pass(arg: str) -> None:
    assert rasa_argv(["run", arg], {}) == ["rasa", "run", arg]


@pytest.mark.parametrize("secret", ["-starts-with-dash", "--looks-like-a-flag", "plain_token", "a=b"])
def test_rasa_parses_every_secret_it_is_given(secret: str) -> None:
    """token_urlsafe() begins with "-" one time in 64: Rasa must still start (it exited with 2)."""
    from rasa.__main__ import create_argument_parser

    argv = rasa_argv(BASE, {"LOTSE_API_TOKEN": secret, "LOTSE_JWT_SECRET": secret})
    parsed = create_argument_parser().parse_args(argv[1:])
    assert (parsed.enable_api, parsed.auth_token, parsed.jwt_secret) == (True, secret, secret)


@pytest.mark.parametrize(("api_enabled", "limit"), [(False, 2 * 64 * 1024), (True, 100_000_000)])
def test_rasas_app_names_no_version_and_keeps_the_webhooks_body_limit(
    monkeypatch: pytest.MonkeyPatch, api_enabled: bool, limit: int
) -> None:
    """`/` was "Hello from Rasa: 3.6.21"; without the API, nothing on Rasa's server takes more than
    twice the REST channel's limit (model uploads over the API keep sanic's 100 MB)."""
    import asyncio

    from rasa import server
    from rasa.core import run
    from sanic import Sanic
    from sanic.server.protocols import http_protocol

    from bot.serving.http_guard import GuardedHttp
    from bot.serving.rasa_server import hook_rasa_app

    for module, name in ((server, "add_root_route"), (run, "configure_app"), (http_protocol, "Http")):
        monkeypatch.setattr(module, name, getattr(module, name))  # restored after the test
    monkeypatch.setattr(Sanic, "_app_registry", {})  # Rasa's app name is free, and only here
    hook_rasa_app(api_enabled)
    app = run.configure_app(enable_api=False)
    max_size = app.config.REQUEST_MAX_SIZE
    assert max_size == limit
    root = app.router.routes_all[("",)]
    reply = asyncio.run(root.handler(None))
    assert (root.methods, reply.status, reply.body) == ({"GET"}, 200, b'{"status":"ok"}')
    assert vars(http_protocol)["Http"] is GuardedHttp  # the app's start installed the framing guard
