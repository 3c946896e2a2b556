"""Redis for the cluster: the lock store (one message of a conversation at a time, across the
instances) and the rate limits counted once for all of them; loopback only, behind a password."""

from __future__ import annotations

from bot.ops.cluster.config import ClusterError, write_private
from bot.ops.cluster.files import redis_conf
from bot.ops.cluster.parts import Part, Site
from bot.ops.cluster.programs import Programs


class Redis(Part):
    """redis-server with the generated configuration; `PING` is its health check."""

    name = "redis"

    def __init__(self, site: Site, programs: Programs) -> None:
        super().__init__(site)
        self.programs = programs
        self.conf = self.config.state_dir / "redis" / "redis.conf"

    @property
    def where(self) -> str:
        return f"PING to {self.config.host}:{self.config.redis_port}"

    def prepare(self) -> None:
        write_private(
            self.conf, redis_conf(self.config, self.site.secrets.redis_password)
        )  # holds the password

    def command(self) -> list[str]:
        return [str(self.programs.redis_server), str(self.conf)]

    def alive(self) -> bool:
        import redis

        client = redis.Redis(
            host=self.config.host,
            port=self.config.redis_port,
            password=self.site.secrets.redis_password,
            socket_timeout=1,
            socket_connect_timeout=1,
        )
        try:
            return bool(client.ping())
        except redis.exceptions.AuthenticationError:
            raise ClusterError(
                f"Redis on port {self.config.redis_port} refused the cluster's password"
            ) from None
        except redis.exceptions.RedisError:
            return False
        finally:
            client.close()
