"""The trainers' workbench in the cluster: behind nginx on both web servers with one session, the
conversations read from PostgreSQL, and two trainers on two servers saving one file at once – the
second is refused.

The cluster's own web servers run from the repository, so what is saved is saved by two more web
servers from a copy of the checkout (tests/workbench.py), on the cluster's PostgreSQL: the same
code and database, another folder to write into.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from bot.ops.cluster import Cluster
from bot.trainers.workbench.review import conversation_id
from tests.cluster.conftest import CLUSTER_PORT_BASE, post
from tests.web_server import web_server
from tests.workbench import Trainer, copy_checkout

CLICK_PAYLOAD = '/inform{"customer": "reactivation"}'


def new_lines(path: Path, before: int) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()[before:]


def test_the_workbench_answers_behind_nginx_from_both_web_servers_with_one_session(cluster: Cluster) -> None:
    config = cluster.config
    trainer = Trainer(config.nginx_url)
    status, headers, _ = trainer.request("GET", "/trainer")
    assert (status, headers["location"]) == (303, "/trainer/signin")
    assert trainer.json("GET", "/trainer/api/session")[0] == 401
    assert trainer.sign_in("anna")[0] == 200
    before = config.nginx_access_log.read_text(encoding="utf-8").count("\n")
    for _ in range(6):
        status, body = trainer.json("GET", "/trainer/api/session")
        assert status == 200 and body["trainer"] == "anna"
    lines = [line for line in new_lines(config.nginx_access_log, before) if "/trainer/api/session" in line]
    for port in config.web_ports:  # both servers answered, each knew the session (it is in PostgreSQL)
        assert any(f"upstream={config.host}:{port} " in line and " 200 " in line for line in lines), port
    assert trainer.request("POST", "/trainer/api/signout", {})[0] == 200
    assert all(trainer.json("GET", "/trainer/api/session")[0] == 401 for _ in range(4))


def test_the_review_reads_the_conversations_from_postgresql(cluster: Cluster) -> None:
    sender = f"web-{uuid.uuid4().hex}"
    reply = post(cluster.config.nginx_url, sender, "Wie wird das Wetter morgen?")
    assert reply.answer is not None and reply.answer["kind"] == "out_of_scope"
    trainer = Trainer(cluster.config.nginx_url)
    assert trainer.sign_in("ben")[0] == 200
    status, body = trainer.json("GET", "/trainer/api/conversations?days=1&filter=unanswered")
    assert status == 200
    [found] = [c for c in body["conversations"] if c["id"] == conversation_id(sender)]
    assert (
        found["turns"][0]["text"] == "Wie wird das Wetter morgen?"
        and found["turns"][0]["kind"] == "out_of_scope"
    )


def test_two_trainers_on_two_servers_saving_one_file_the_second_is_refused(
    cluster: Cluster, tmp_path: Path
) -> None:
    config = cluster.config
    sender = f"web-{uuid.uuid4().hex}"
    assert post(config.nginx_url, sender, "telefonische ASU – wer?").answer is not None
    assert post(config.nginx_url, sender, CLICK_PAYLOAD).answer is not None
    root = copy_checkout(tmp_path / "checkout")
    env = {
        "LOTSE_TRACKER_DB_URL": cluster.tracker_db_url,
        "LOTSE_SECRETS_FILE": str(tmp_path / "secrets.env"),
    }
    feedback = cluster.feedback_db_url

    def server(offset: int, log: str) -> Any:
        return web_server(
            CLUSTER_PORT_BASE + offset,
            config.nginx_url,
            feedback,
            tmp_path / log,
            root=root,
            module="bot.ops.web",
            env=env,
        )

    with server(95, "web-a.log") as one, server(96, "web-b.log") as two:
        anna, ben = Trainer(one.url), Trainer(two.url)
        assert anna.sign_in("anna")[0] == 200 and ben.sign_in("ben")[0] == 200
        cookie = {"Cookie": f"lotse_trainer={anna.cookie()}"}
        assert Trainer(two.url).json("GET", "/trainer/api/session", headers=cookie)[0] == 200  # shared
        body = {
            "conversation": conversation_id(sender),
            "turn": 2,
            "file": "job_seeker_registration.yml",
            "expect": [
                {"kind": "clarify", "unit": "", "topic": "null"},
                {"kind": "routing", "unit": "", "topic": "asu_telefon_reaktivierung"},
            ],
        }
        status, preview_a = anna.json("POST", "/trainer/api/tests/preview", {**body, "name": "von Anna"})
        assert status == 200, preview_a
        status, preview_b = ben.json("POST", "/trainer/api/tests/preview", {**body, "name": "von Ben"})
        assert status == 200 and preview_b["stamp"] == preview_a["stamp"]
        saved = anna.json(
            "POST", "/trainer/api/tests/save", {**body, "name": "von Anna", "stamp": preview_a["stamp"]}
        )
        assert saved[0] == 201
        status, refused = ben.json(
            "POST", "/trainer/api/tests/save", {**body, "name": "von Ben", "stamp": preview_b["stamp"]}
        )
        assert status == 409, json.dumps(refused)
        assert "tests/conversations/job_seeker_registration.yml wurde geändert" in refused["error"]
    text = (root / "tests" / "conversations" / "job_seeker_registration.yml").read_text(encoding="utf-8")
    assert "name: von Anna" in text and "von Ben" not in text
