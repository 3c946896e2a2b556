"""The web server `make run` starts: the staff pages (bot/serving/web.py) and the trainers' workbench.

Composed here, one layer above both: bot.serving must not import the trainers' layer, so the
staff server takes its extra routes from its caller (`main(extend=…)`). `python -m bot.ops.web`
takes the same arguments as `python -m bot.serving.web`, which still serves the staff pages alone.
"""

from __future__ import annotations

import sys

from bot.serving import web
from bot.trainers.workbench.app import install


def main(argv: list[str] | None = None) -> int:
    return web.main(argv, extend=install, prog="python -m bot.ops.web")


if __name__ == "__main__":
    sys.exit(main())
