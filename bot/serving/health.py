"""What `GET /webhooks/rest/health` reports: is every part a reply needs working?

Rasa's own `/` says only that the HTTP server is up; an agent on a call needs the
model loaded, the tracker database reachable and the action server answering with
good guides. `make run` waits for this report before it says "ready", and an
operator (or a load balancer) reads it to see which part is down.
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from sqlalchemy import text

logger = logging.getLogger(__name__)

CHECK_TIMEOUT_S = 1.5


def _check_model(agent: Any) -> dict[str, Any]:
    if agent is None or not agent.is_ready():
        return {"ok": False, "error": "no model loaded"}
    return {"ok": True, "id": agent.model_id, "file": agent.processor.model_filename}


def _check_database(agent: Any) -> dict[str, Any]:
    """One query against the tracker store's database (SQL stores); other stores are named only."""
    if agent is None or agent.tracker_store is None:
        return {"ok": False, "error": "no tracker store"}
    store = getattr(agent.tracker_store, "_tracker_store", agent.tracker_store)  # Rasa's fail-safe wrapper
    kind = type(store).__name__
    if not hasattr(store, "sessionmaker"):
        return {"ok": True, "store": kind}
    try:
        session = store.sessionmaker()
        try:
            session.execute(text("SELECT 1"))
        finally:
            session.close()
    except Exception as error:  # any driver error means: the database is not usable
        logger.error("health: tracker database check failed: %s", error)
        return {"ok": False, "store": kind, "error": type(error).__name__}
    return {"ok": True, "store": kind, "dialect": store.engine.dialect.name}


async def _check_action_server(agent: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The action server's check, and its own /health body (guides version, any guide error)."""
    endpoint = getattr(agent, "action_endpoint", None) if agent is not None else None
    if endpoint is None or not endpoint.url:
        return {"ok": False, "error": "no action endpoint configured"}, {}
    url = endpoint.url.rsplit("/webhook", 1)[0] + "/health"
    try:
        timeout = aiohttp.ClientTimeout(total=CHECK_TIMEOUT_S)
        async with aiohttp.ClientSession(timeout=timeout) as session, session.get(url) as reply:
            body = await reply.json(content_type=None)
    except Exception as error:  # refused, timed out, not JSON: all mean "not answering"
        return {"ok": False, "error": f"not answering ({type(error).__name__})"}, {}
    if not isinstance(body, dict):
        return {"ok": False, "error": "unexpected reply"}, {}
    return {"ok": reply.status == 200, "status": body.get("status")}, body


async def health_report(agent: Any) -> tuple[dict[str, Any], int]:
    """The report and its HTTP status: 200 when every part works, else 503 naming the part."""
    actions_result, actions_body = await _check_action_server(agent)
    guide_error = actions_body.get("guide_error")
    guides = {
        "ok": bool(actions_body) and guide_error is None,
        "version": actions_body.get("guides_version"),
        "error": guide_error,
    }
    report: dict[str, Any] = {
        "model": _check_model(agent),
        "database": _check_database(agent),
        "action_server": actions_result,
        "guides": guides,
    }
    healthy = all(part["ok"] for part in report.values())
    report["status"] = "ok" if healthy else "degraded"
    return report, 200 if healthy else 503
