"""Lotse's command line: `python -m bot.cli {check-guides,run,eval,conversations}` (the Makefile calls it)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from bot.guides import GuideError, load_guides
from bot.paths import DEV_QUESTIONS, guides_dir
from bot.processes import VAR_DIR, Bot, BotConfig, bot_at


def check_guides(_: argparse.Namespace) -> int:
    try:
        guides = load_guides(guides_dir())
    except GuideError as error:
        print(f"guides invalid: {error}", file=sys.stderr)
        return 1
    print(f"guides ok: {len(guides.entries)} entries, version {guides.version}")
    return 0


def _config(args: argparse.Namespace) -> BotConfig:
    return BotConfig(
        rasa_port=args.port,
        actions_port=args.actions_port,
        api_token=os.environ.get("LOTSE_API_TOKEN") or None,
    )


def run(args: argparse.Namespace) -> int:
    config = _config(args)
    print("Starting Lotse (model load takes a while) …", flush=True)
    try:
        bot = Bot(config).start()
    except RuntimeError as error:
        print(f"Lotse did not start: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # start() has stopped what it started
        return 130
    print(
        f"Lotse is ready.\n"
        f'  REST:     POST {config.rasa_url}/webhooks/rest/webhook  {{"sender": "me", "message": "…"}}\n'
        f"  socketio: {config.rasa_url}/socket.io\n"
        f"  actions:  {config.actions_url}/webhook (health: {config.actions_url}/health)\n"
        f"  HTTP API: {'on, token required' if config.api_token else 'off (set LOTSE_API_TOKEN to enable)'}\n"
        f"  logs:     {config.log_dir}\n"
        "Ctrl-C stops everything.",
        flush=True,
    )
    return bot.wait()


def evaluate(args: argparse.Namespace) -> int:
    from bot.evaluate import run_eval

    path = Path(args.file)
    if not path.exists():
        print(f"no eval file at {path}", file=sys.stderr)
        return 2
    config = _config(args)
    try:
        with bot_at(config, "eval"):
            report = run_eval(path, config.rasa_url)
    except RuntimeError as error:
        print(f"Lotse did not start: {error}", file=sys.stderr)
        return 2
    print(report.format())
    if report.single_accuracy() < args.min_accuracy:
        print(f"FAILED: single-question accuracy {report.single_accuracy():.3f} < {args.min_accuracy}")
        return 1
    return 0


def conversations(args: argparse.Namespace) -> int:
    """Run the trainers' test conversations; table on stdout, report and plot in --report-dir."""
    from bot.conversations import (
        ConversationError,
        coverage,
        default_files,
        format_table,
        load_files,
        run_conversations,
        summary,
        write_report,
    )

    paths = [Path(f) for f in args.files] or default_files()
    try:
        guides = load_guides(guides_dir())
        loaded = load_files(paths)
    except (ConversationError, GuideError) as error:
        print(f"cannot run the conversations: {error}", file=sys.stderr)
        return 2
    if not loaded:
        print("no conversation files found", file=sys.stderr)
        return 2
    config = _config(args)
    try:
        with bot_at(config, "conversations"):
            result = run_conversations(loaded, config.rasa_url)
    except RuntimeError as error:
        print(f"Lotse did not start: {error}", file=sys.stderr)
        return 2
    report, png = write_report(result, guides, Path(args.report_dir))
    print(format_table(result))
    print()
    print(summary(result, coverage(guides, result.results)))
    print(f"report: {report}\nplot:   {png}")
    return 1 if result.failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="lotse", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check-guides", help="load and check the guides").set_defaults(func=check_guides)
    for name, func, text in (
        ("run", run, "start Lotse in the foreground"),
        ("eval", evaluate, "ask an eval file's questions over REST"),
        ("conversations", conversations, "run the test conversations over REST, write the report"),
    ):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("--port", type=int, default=5005, help="Rasa port (REST, socketio)")
        sub.add_argument("--actions-port", type=int, default=5055)
        sub.set_defaults(func=func)
        if name == "eval":
            sub.add_argument("file", nargs="?", default=str(DEV_QUESTIONS))
            sub.add_argument(
                "--min-accuracy", type=float, default=0.0, help="fail below this single-question accuracy"
            )
        if name == "conversations":
            sub.add_argument(
                "files", nargs="*", help="conversation files (default: tests/conversations/*.yml)"
            )
            sub.add_argument("--report-dir", default=str(VAR_DIR / "reports"), help="where the report goes")
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
