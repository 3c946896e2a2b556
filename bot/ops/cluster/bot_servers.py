"""Lotse's own servers in the cluster: one action server, the Rasa instances, the widget's web server.

They are started with the commands and environment of `make run` (bot/ops/processes.py); the
cluster only adds what its stores need: the PostgreSQL and Redis passwords for Rasa, the shared
rate limits, and the feedback database for the web server.
"""

from __future__ import annotations

from bot.ops.cluster.config import RATE_LIMIT_REDIS_DB, ClusterError
from bot.ops.cluster.files import endpoints_yaml
from bot.ops.cluster.parts import HttpPart, Site
from bot.ops.processes import (
    MODEL_FILE,
    RASA_READY_TIMEOUT_S,
    BotConfig,
    action_server_command,
    child_env,
    rasa_command,
    readiness_probe,
    web_command,
)
from bot.serving.security import SettingsError, cors_origins, load_secrets
from bot.settings import env_name

# the cluster's own secrets: each part is given only those it uses
_CLUSTER_ONLY = tuple(
    env_name(field) for field in ("pg_password", "redis_password", "feedback_db_url", "tracker_db_url")
)


class BotSide:
    """What `make run` would give Lotse's servers (tokens, CORS, today), for the cluster's ports."""

    def __init__(self, site: Site) -> None:
        config = site.config
        found = load_secrets()
        try:
            origins = cors_origins()
        except SettingsError as error:
            raise ClusterError(str(error)) from None
        extra = [config.nginx_url, config.web_url]
        self.bot_config = BotConfig(
            rasa_port=config.rasa_ports[0],
            actions_port=config.actions_port,
            host=config.host,
            log_dir=config.log_dir,
            today=config.today,
            api_token=found.api_token,
            jwt_secret=found.jwt_secret,
            action_token=site.secrets.action_token,
            trainer_token=found.trainer_token,
            cors_origins=[*origins, *(origin for origin in extra if origin not in origins)],
            messages_per_address=config.messages_per_address,
        )

    def env(self, api_secrets: bool = False, trainer_secrets: bool = False) -> dict[str, str]:
        """As `make run`'s environment, without the cluster's passwords: each part adds what it uses."""
        env = child_env(self.bot_config, api_secrets, trainer_secrets)
        for name in _CLUSTER_ONLY:
            env.pop(name, None)
        return env


class LotseServer(HttpPart):
    """One of Lotse's own servers: started with `make run`'s environment (BotSide)."""

    def __init__(self, site: Site, bot: BotSide) -> None:
        super().__init__(site)
        self.bot = bot

    def env(self) -> dict[str, str]:
        return self.bot.env()


class ActionServer(LotseServer):
    """The one action server all instances call."""

    name = "actions"

    @property
    def where(self) -> str:
        return f"http://{self.config.host}:{self.config.actions_port}/health"

    def command(self) -> list[str]:
        return action_server_command()


class RasaInstance(LotseServer):
    """One Rasa instance: alive when `/` answers, ready (after a start) on a real reply."""

    ready_timeout_s = RASA_READY_TIMEOUT_S

    def __init__(self, site: Site, bot: BotSide, index: int) -> None:
        super().__init__(site, bot)
        self.index = index
        self.name = f"rasa-{index + 1}"
        self.port = self.config.rasa_ports[index]
        self.url = self.config.rasa_url(index)
        self.endpoints = self.config.state_dir / "endpoints.yml"
        self._greets = readiness_probe(self.url, f"lotse-readiness-probe-{index + 1}")

    @property
    def where(self) -> str:
        return f"{self.url}/"

    def ready(self) -> bool:
        """The real greeting: model loaded, PostgreSQL, Redis and the action server in use."""
        return self._greets()

    def prepare(self) -> None:
        self.endpoints.write_text(endpoints_yaml(self.config), encoding="utf-8")

    def command(self) -> list[str]:
        cors = self.bot.bot_config.cors_origins
        return rasa_command(MODEL_FILE, self.endpoints, self.config.host, self.port, cors)

    def env(self) -> dict[str, str]:
        config, secrets = self.config, self.site.secrets
        env = self.bot.env(api_secrets=True)
        env.update(
            {
                env_name("pg_password"): secrets.postgres_password,
                env_name("redis_password"): secrets.redis_password,
                "TICKET_LOCK_LIFETIME": str(config.lock_lifetime_s),
                # the rate limits counted once for all instances (the password is LOTSE_REDIS_PASSWORD)
                env_name("rate_limit_redis_url"): (
                    f"redis://{config.host}:{config.redis_port}/{RATE_LIMIT_REDIS_DB}"
                ),
            }
        )
        return env


class WebServer(LotseServer):
    """The widget's server (serving/web.py): its page's questions go to nginx, its feedback to PostgreSQL.

    It stays in front of nginx, not behind it: the widget posts to its own page's origin,
    and only the web server notes the questions the guides left unanswered. Its trainers'
    workbench reviews the conversations in PostgreSQL's tracker database.
    """

    def __init__(
        self,
        site: Site,
        bot: BotSide,
        feedback_db_url: str,
        tracker_db_url: str | None = None,
        index: int = 0,
    ) -> None:
        super().__init__(site, bot)
        self.feedback_db_url = feedback_db_url
        self.tracker_db_url = tracker_db_url
        self.name = "web" if index == 0 else f"web-{index + 1}"
        self.port = self.config.web_ports[index]

    @property
    def where(self) -> str:
        return f"http://{self.config.host}:{self.port}/health"

    def command(self) -> list[str]:
        return web_command(self.config.host, self.port, self.config.nginx_url)

    def env(self) -> dict[str, str]:
        # in the environment, not on the command line: they hold the password
        env = {**self.bot.env(trainer_secrets=True), env_name("feedback_db_url"): self.feedback_db_url}
        if self.tracker_db_url:
            env[env_name("tracker_db_url")] = self.tracker_db_url
        return env
