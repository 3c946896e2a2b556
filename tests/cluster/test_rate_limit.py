"""Both Rasa instances count the rate limits in one place (Redis): a client gets one quota, not one each.

Counted per instance, a sender could send the limit to each instance, and a crowd of senders on
one address twice the per-address limit through nginx. The messages are empty: the limits are
checked before anything is done with a message, so a crowd arrives within a fraction of a second.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from bot.ops.cluster import Cluster
from bot.serving.channels import DEFAULT_RATE
from tests.cluster.conftest import MESSAGES_PER_ADDRESS
from tests.http import call


def send(base_url: str, sender: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    """(status, error) of one empty message."""
    body = json.dumps({"sender": sender, "message": ""}).encode()
    status, _, raw = call(
        f"{base_url}/webhooks/rest/webhook",
        "POST",
        body,
        {"Content-Type": "application/json", **(headers or {})},
    )
    reply = json.loads(raw)
    return status, reply.get("error", "") if isinstance(reply, dict) else ""


def test_one_sender_gets_one_quota_from_both_instances(cluster: Cluster) -> None:
    config = cluster.config
    sender = f"quota-{uuid.uuid4().hex}"
    time.sleep(1.1)  # nothing of an earlier test in the window of 127.0.0.1
    replies = [send(config.rasa_url(index % 2), sender) for index in range(2 * DEFAULT_RATE)]
    statuses = Counter(status for status, _ in replies)
    assert statuses[429] > 0, f"each instance let the sender's {DEFAULT_RATE} a second through: {statuses}"
    assert statuses[200] <= 2 * DEFAULT_RATE - 1 and set(statuses) == {200, 429}
    assert all("sender" in error for status, error in replies if status == 429)


def test_a_crowd_on_one_address_gets_one_quota_through_nginx(cluster: Cluster) -> None:
    """200 senders, one message each, named by X-Forwarded-For as nginx's client: nginx spreads them over
    both instances (each gets ~100, under the limit of 150), yet the shared window refuses the rest."""
    config = cluster.config
    crowd, address = uuid.uuid4().hex[:8], "203.0.113.21"

    def one(index: int) -> tuple[int, str]:
        return send(config.nginx_url, f"crowd-{crowd}-{index}", {"X-Forwarded-For": address})

    with ThreadPoolExecutor(max_workers=16) as pool:
        replies = list(pool.map(one, range(200)))
    statuses = Counter(status for status, _ in replies)
    assert set(statuses) == {200, 429}, statuses
    assert statuses[200] >= MESSAGES_PER_ADDRESS
    assert all("address" in error for status, error in replies if status == 429)
    assert send(config.nginx_url, f"crowd-{crowd}-alone")[0] == 200  # 127.0.0.1 has its own window
