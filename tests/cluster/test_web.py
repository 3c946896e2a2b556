"""The widget's web server in the cluster: it asks through nginx and keeps its feedback in PostgreSQL."""

from __future__ import annotations

import time
import uuid

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from bot.ops.cluster import Cluster
from tests.cluster.conftest import post


def test_the_widget_server_asks_through_nginx(cluster: Cluster) -> None:
    config = cluster.config
    before = config.nginx_access_log.read_text(encoding="utf-8").count("\n")
    reply = post(config.web_url, f"web-{uuid.uuid4().hex}", "Wer bearbeitet Terminabsagen?")
    assert reply.status == 200 and reply.answer is not None
    assert reply.answer["topic"] == "kontaktformular_termine"
    lines = config.nginx_access_log.read_text(encoding="utf-8").splitlines()[before:]
    assert any("POST /webhooks/rest/webhook" in line and "upstream_status=200" in line for line in lines)


# a fixed question the NLU reads as off-topic whatever the model (random marker words once made it
# a "Meinten Sie"): this run's row is the one the count shows new
OFF_TOPIC = "Wie wird das Wetter morgen?"


def _rows(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as connection:
        result = connection.execute(
            text("SELECT question, kind FROM lotse_unanswered WHERE question = :q ORDER BY id"),
            {"q": OFF_TOPIC},
        )
        return [(row[0], row[1]) for row in result]


def test_a_question_the_guides_do_not_answer_lands_in_the_postgresql_feedback_store(cluster: Cluster) -> None:
    engine = create_engine(cluster.feedback_db_url)
    try:
        before = len(_rows(engine))
        reply = post(cluster.config.web_url, f"web-{uuid.uuid4().hex}", OFF_TOPIC)
        assert reply.status == 200 and reply.answer is not None
        assert reply.answer["kind"] == "out_of_scope"
        rows: list[tuple[str, str]] = []
        for _ in range(20):  # noted right before the reply is sent; allow for the commit
            rows = _rows(engine)
            if len(rows) > before:
                break
            time.sleep(0.25)
    finally:
        engine.dispose()
    assert rows[before:] == [(OFF_TOPIC, "out_of_scope")]
