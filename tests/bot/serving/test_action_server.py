"""The action server as it really runs: `python -m bot.serving.action_server` in a subprocess."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from bot.answering.guides import Guides
from bot.paths import PROJECT_ROOT
from tests.conftest import TODAY, GuideCopy, domain_slot_names

START_TIMEOUT = 60.0
RASA_VERSION = "3.6.21"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOTSE_")}
    env.update(LOTSE_LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1", **extra)
    return env


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _request(url: str, body: bytes | None = None, content_type: str = "application/json") -> tuple[int, Any]:
    """(status, parsed JSON body) of a GET, or of a POST when `body` is given."""
    request = urllib.request.Request(url, data=body, method="POST" if body is not None else "GET")
    if body is not None:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


# --- refusing to start -----------------------------------------------------------------


def test_broken_guides_stop_the_server_with_exit_code_2(guide_copy: GuideCopy) -> None:
    guide_copy.replace_in_entry(
        "gespraechsleitfaden_ez.yml", "stammdaten_online", "channel: online", "channel: fax"
    )
    finished = subprocess.run(
        [sys.executable, "-m", "bot.serving.action_server"],
        cwd=PROJECT_ROOT,
        env=_env(LOTSE_GUIDES_DIR=str(guide_copy.path), LOTSE_ACTIONS_PORT=str(_free_port())),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert finished.returncode == 2, finished.stderr
    assert "gespraechsleitfaden_ez.yml" in finished.stderr
    assert "stammdaten_online" in finished.stderr
    assert "when.channel" in finished.stderr
    assert "fax" in finished.stderr


# --- the running server ---------------------------------------------------------------


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.serving.action_server"],
        cwd=PROJECT_ROOT,
        env=_env(LOTSE_ACTIONS_PORT=str(port), LOTSE_TODAY=TODAY.isoformat()),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                stderr = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
                pytest.fail(f"action server exited with {process.returncode}:\n{stderr}")
            try:
                status, _ = _request(f"{url}/health")
                if status == 200:
                    break
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"action server did not answer on {url}/health within {START_TIMEOUT} s")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
        if process.stderr:
            process.stderr.close()


def _action_call(action: str, text: str, intent: str, **slots: Any) -> dict[str, Any]:
    all_slots = {name: slots.get(name) for name in domain_slot_names()}
    return {
        "next_action": action,
        "sender_id": "server-test",
        "tracker": {
            "sender_id": "server-test",
            "slots": all_slots,
            "latest_message": {"text": text, "intent": {"name": intent, "confidence": 0.98}, "entities": []},
            "latest_event_time": None,
            "followup_action": None,
            "paused": False,
            "events": [],
            "latest_input_channel": "rest",
            "latest_action_name": "action_listen",
            "active_loop": {},
        },
        "domain": {},
        "version": RASA_VERSION,
    }


def test_health_reports_the_guides_version(server_url: str, guides: Guides) -> None:
    status, body = _request(f"{server_url}/health")
    assert status == 200
    assert body["status"] == "ok"
    assert body["guides_version"] == guides.version
    assert body["guide_error"] is None
    assert "action_answer_guide" in body["actions"]


def test_action_call_is_answered_from_the_guides(server_url: str, guides: Guides) -> None:
    call = _action_call(
        "action_answer_guide",
        "Wer bearbeitet Terminabsagen aus dem Kontaktformular?",
        "ask_appointment_cancellation",
    )
    status, body = _request(f"{server_url}/webhook", json.dumps(call).encode("utf-8"))
    assert status == 200
    slots = {event["name"]: event["value"] for event in body["events"] if event["event"] == "slot"}
    assert slots["lang"] == "de"
    assert slots["last_topic"] == "kontaktformular_termine"
    assert slots["channel"] == "contact_form"
    message = body["responses"][0]
    answer = message["custom"]["answer"]
    assert answer["unit"] == guides.by_id["kontaktformular_termine"].answer.unit
    assert answer["topic"] == "kontaktformular_termine"
    assert answer["source"]["section"] == "2.2"
    assert message["text"].split("\n")[0] == guides.by_id["kontaktformular_termine"].text.de.verdict


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"this is not json", "application/json"),
        (b"[1, 2, 3]", "application/json"),
        (b"", "application/json"),
        (b'{"next_action": "action_answer_guide", "version": "3.6.21"}', "application/json"),
    ],
    ids=["not-json", "json-list", "empty", "no-tracker"],
)
def test_malformed_body_gets_400(server_url: str, body: bytes, content_type: str) -> None:
    status, answer = _request(f"{server_url}/webhook", body, content_type)
    assert status == 400
    assert "JSON object" in answer["error"]


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_an_action_call_not_declared_json_gets_415(server_url: str, content_type: str) -> None:
    """Rasa posts JSON; a page could post text/plain (no CORS preflight) to a local action server."""
    call = _action_call(
        "action_answer_guide", "Wohin gehen Terminabsagen aus dem Kontaktformular?", "routing"
    )
    status, answer = _request(f"{server_url}/webhook", json.dumps(call).encode("utf-8"), content_type)
    assert status == 415 and "application/json" in answer["error"]


def test_a_browser_may_not_call_actions_from_any_origin(server_url: str) -> None:
    call = _action_call(
        "action_answer_guide", "Wohin gehen Terminabsagen aus dem Kontaktformular?", "routing"
    )
    request = urllib.request.Request(
        f"{server_url}/webhook",
        data=json.dumps(call).encode("utf-8"),
        headers={"Content-Type": "application/json", "Origin": "http://localhost:8080"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 403 and json.loads(refused.value.read())["error"]


def test_unknown_action_gets_404(server_url: str) -> None:
    call = _action_call("action_does_not_exist", "Hallo", "greet")
    status, answer = _request(f"{server_url}/webhook", json.dumps(call).encode("utf-8"))
    assert status == 404
    assert answer["action_name"] == "action_does_not_exist"
