"""The widget's web server in the cluster: it asks through nginx and keeps its feedback in PostgreSQL."""

from __future__ import annotations

import random
import time
import uuid

from sqlalchemy import create_engine, text

from bot.cluster import Cluster
from tests.cluster.conftest import post


def test_the_widget_server_asks_through_nginx(cluster: Cluster) -> None:
    config = cluster.config
    before = config.nginx_access_log.read_text(encoding="utf-8").count("\n")
    reply = post(config.web_url, f"web-{uuid.uuid4().hex}", "Wer bearbeitet Terminabsagen?")
    assert reply.status == 200 and reply.answer is not None
    assert reply.answer["topic"] == "kontaktformular_termine"
    lines = config.nginx_access_log.read_text(encoding="utf-8").splitlines()[before:]
    assert any("POST /webhooks/rest/webhook" in line and "upstream_status=200" in line for line in lines)


MARKER_WORDS = [
    "apfel",
    "birne",
    "kirsche",
    "pflaume",
    "traube",
    "melone",
    "zitrone",
    "banane",
    "tomate",
    "gurke",
    "karotte",
    "zwiebel",
]


def test_a_question_the_guides_do_not_answer_lands_in_the_postgresql_feedback_store(cluster: Cluster) -> None:
    # words the allow-list keeps (bot/redaction.py), drawn at random: this run's question alone has them
    marker = " ".join(random.choices(MARKER_WORDS, k=6))
    question = f"Wie wird das Wetter morgen, {marker}?"
    reply = post(cluster.config.web_url, f"web-{marker}", question)
    assert reply.status == 200 and reply.answer is not None
    assert reply.answer["kind"] == "out_of_scope"
    engine = create_engine(cluster.feedback_db_url)
    try:
        rows: list[tuple[str, str]] = []
        for _ in range(20):  # noted right before the reply is sent; allow for the commit
            with engine.connect() as connection:
                rows = [
                    (row[0], row[1])
                    for row in connection.execute(
                        text("SELECT question, kind FROM lotse_unanswered WHERE question LIKE :m"),
                        {"m": f"%{marker}%"},
                    )
                ]
            if rows:
                break
            time.sleep(0.25)
    finally:
        engine.dispose()
    assert rows == [(question, "out_of_scope")]
