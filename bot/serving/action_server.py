"""The action server: rasa-sdk's executor with our actions, bound to localhost.

We build the sanic app ourselves instead of `rasa_sdk --actions actions` so the
guides are loaded and checked once, before the port opens (invalid guides:
refuse to start), and handed to the actions instead of being read at import.
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import sys
from typing import Any

from rasa_sdk import utils as sdk_utils
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions import build_actions
from actions.base import Clock
from bot.answering import domain, language
from bot.answering.guides import GuideError
from bot.answering.responses import Responses
from bot.answering.store import GuideStore
from bot.paths import DOMAIN_FILE, guides_dir
from bot.serving import http_guard
from bot.serving.security import refuse_post
from bot.settings import SettingsError, settings

logger = logging.getLogger(__name__)


def clock_from_env() -> Clock:
    """Today's date, unless LOTSE_TODAY pins one."""
    day = settings().today
    if day is not None:
        return lambda: day
    return dt.date.today


def create_app(
    store: GuideStore, responses: Responses, today: Clock, action_token: str | None = None
) -> Sanic:
    """The action server; with `action_token`, /webhook runs actions only for callers that show it."""
    app = Sanic("lotse_actions", configure_logging=False)
    executor = ActionExecutor()
    for action in build_actions(store, responses, today):
        executor.register_action(action)

    loaded = {
        "version": store.get().version,
        "at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }

    @app.get("/health")
    async def health(_: Request) -> HTTPResponse:
        guides = store.get()
        if guides.version != loaded["version"]:  # a reload took effect (noticed here or by a question)
            loaded.update(
                version=guides.version, at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
            )
        body: dict[str, Any] = {
            "status": "ok" if store.last_error is None else "degraded",
            "guides_version": guides.version,
            "guides_loaded_at": loaded["at"],  # when this version was first seen in service
            "guide_error": store.last_error,
            "actions": sorted(executor.actions),
        }
        return response.json(body)

    @app.post("/webhook")
    async def webhook(request: Request) -> HTTPResponse:
        # Rasa posts JSON and sends no Origin; no browser page may call actions, so no origin is allowed
        refused = refuse_post(request.headers.get("content-type"), request.headers.get("origin"), ())
        if refused is not None:
            return response.json({"error": refused[1]}, status=refused[0])
        if action_token is not None:  # Rasa sends the endpoint's token as ?token=…
            shown = request.args.get("token") or ""
            if not hmac.compare_digest(shown.encode(), action_token.encode()):
                return response.json({"error": "missing or wrong action token"}, status=401)
        try:
            action_call = request.json
        except Exception:  # sanic raises InvalidUsage on broken JSON
            action_call = None
        if not isinstance(action_call, dict) or not isinstance(action_call.get("tracker"), dict):
            return response.json({"error": "body must be a JSON object with a tracker"}, status=400)
        sdk_utils.check_version_compatibility(action_call.get("version"))
        try:
            result = await executor.run(action_call)
        except ActionExecutionRejection as error:
            return response.json({"error": error.message, "action_name": error.action_name}, status=400)
        except ActionNotFoundException as error:
            return response.json({"error": error.message, "action_name": error.action_name}, status=404)
        return response.json(result)

    return app


def main(argv: list[str] | None = None) -> int:
    try:
        config = settings()
    except SettingsError as error:
        print(f"Lotse action server not started: {error}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=config.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    host, port = config.actions_host, config.actions_port
    try:
        store = GuideStore(guides_dir())
    except GuideError as error:
        print(f"Lotse action server not started – the guides are invalid:\n  {error}", file=sys.stderr)
        return 2
    app = create_app(
        store,
        Responses.from_domain_file(DOMAIN_FILE),
        clock_from_env(),
        action_token=config.secret("action_token"),
    )
    logger.info("guides version %s loaded; action server on http://%s:%d", store.get().version, host, port)
    http_guard.install()  # Content-Length / Transfer-Encoding checked, header and body deadlines
    language.warm_up()  # the language detector's models, before the first question
    store.get().spelling.warm_up()  # the word lists of the typo correction
    domain.warm_up(store.get())  # the guides' own words, against wordfreq's everyday ones
    app.run(host=host, port=port, workers=1, access_log=False, motd=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
