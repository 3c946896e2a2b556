"""Lotse's command line (`python -m bot.cli --help` lists the commands; the Makefile calls it)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.answering.guides import GuideError, load_guides
from bot.ops import bench as benchmark
from bot.ops.processes import VAR_DIR, Bot, BotConfig, bot_at
from bot.ops.retention import purge
from bot.paths import DEV_QUESTIONS, guides_dir
from bot.serving.feedback import db_url as feedback_db_url
from bot.serving.security import (
    SettingsError,
    cors_origins,
    ensure_action_token,
    load_secrets,
    retention_days,
)
from bot.settings import settings


def check_guides(_: argparse.Namespace) -> int:
    """`make check-guides`: every file a trainer edits, checked across files; all problems at once."""
    from bot.trainers.check import check

    report = check(guides=guides_dir())
    for problem in report.problems:
        print(problem, file=sys.stderr)
    print(report.summary(), file=sys.stdout if report.ok else sys.stderr)
    return 0 if report.ok else 1


def _config(args: argparse.Namespace) -> BotConfig:
    """Ports from the command line; secrets, origins and retention from the environment / secrets file."""
    found = load_secrets()
    return BotConfig(
        rasa_port=args.port,
        actions_port=args.actions_port,
        api_token=found.api_token,
        jwt_secret=found.jwt_secret,
        action_token=found.action_token,
        trainer_token=found.trainer_token,
        cors_origins=cors_origins(),
        retention_days=retention_days(),
    )


def run(args: argparse.Namespace) -> int:
    try:
        written = ensure_action_token()
        config = _config(args)
        config.web_port = args.web_port or None  # the widget's page (bot/serving/web.py)
    except SettingsError as error:
        print(f"Lotse did not start: {error}", file=sys.stderr)
        return 2
    if written:
        print(f"first start: wrote a random action-server token to {written} (mode 600)", flush=True)
    print("Starting Lotse (model load takes a while) …", flush=True)
    try:
        bot = Bot(config).start()
    except RuntimeError as error:
        print(f"Lotse did not start: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # start() has stopped what it started
        return 130
    api = "off (set LOTSE_API_TOKEN or LOTSE_JWT_SECRET to enable)"
    if config.api_token or config.jwt_secret:
        api = f"on at {config.rasa_url}, token or JWT required"
    purged = bot.purged
    page = f"http://localhost:{config.web_port}"
    widget = f"  widget:   {page}/  (call view: {page}/call)\n" if config.web_port else ""
    print(
        f"Lotse is ready.\n"
        f"{widget}"
        f'  REST:     POST {config.rasa_url}/webhooks/rest/webhook  {{"sender": "me", "message": "…"}}\n'
        f"  health:   GET {config.health_url}\n"
        f"  actions:  {config.actions_url}/webhook (token required; health: {config.actions_url}/health)\n"
        f"  HTTP API: {api}\n"
        f"  CORS:     {', '.join(config.cors_origins)}\n"
        f"  kept:     conversations for {config.retention_days} days"
        f" (purged at start: {purged.conversations if purged else 0})\n"
        f"  logs:     {config.log_dir}\n"
        "  watched:  a server that stops answering (5 s) or exits is restarted; each restart is noted here\n"
        "Ctrl-C stops everything.",
        flush=True,
    )
    return bot.wait()


def purge_old(_: argparse.Namespace) -> int:
    """`make purge`: delete conversations and logs older than LOTSE_RETENTION_DAYS."""
    try:
        days = retention_days()
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    config = BotConfig()
    purged = purge(f"sqlite:///{config.tracker_db}", config.log_dir, days, feedback_url=feedback_db_url())
    print(
        f"kept the last {days} days; deleted {purged.conversations} conversations "
        f"({purged.events} events), {purged.feedback_rows} feedback rows and {purged.log_files} log files"
    )
    return 0


def feedback_report(args: argparse.Namespace) -> int:
    """`make feedback-report`: the 👎 per guide entry and the questions the guides did not answer."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.serving.feedback import FeedbackStore, db_url
    from bot.trainers.feedback_report import write_report

    try:
        store = FeedbackStore(db_url())
        text, path = write_report(store, Path(args.out), args.limit)
    except SQLAlchemyError as error:
        print(f"cannot read the feedback store: {error}", file=sys.stderr)
        return 2
    print(text)
    print(f"report: {path}")
    return 0


def guide_changes(args: argparse.Namespace) -> int:
    """`make guide-changes FROM=… [TO=…]`: what changed in the guides, in German, as Markdown and HTML."""
    from bot.paths import PROJECT_ROOT
    from bot.trainers.guide_changes import GuideChangesError, to_markdown, write_report
    from bot.trainers.guide_changes import guide_changes as compare_revisions

    try:
        today = settings().today
        report = compare_revisions(PROJECT_ROOT, args.from_revision, args.to_revision or None, today)
    except GuideChangesError as error:
        print(f"guide-changes: {error}", file=sys.stderr)
        return 2
    paths = write_report(report, Path(args.out_dir))
    print(to_markdown(report))
    print("report: " + ", ".join(str(path) for path in paths))
    return 0


def evaluate(args: argparse.Namespace) -> int:
    """Eval: the conversations runner on a dev-set file; accuracy per kind, dialogues, latency."""
    from bot.trainers.evaluate import run_eval_on
    from bot.trainers.files import ConversationError, load_file

    path = Path(args.file)
    if not path.exists():
        print(f"no eval file at {path}", file=sys.stderr)
        return 2
    try:
        loaded = load_file(path)  # checked before the bot is started
    except ConversationError as error:
        print(f"cannot run the eval:\n{error}", file=sys.stderr)
        return 2
    config = _config(args)
    try:
        with bot_at(config, "eval"):
            report = run_eval_on(loaded, config.rasa_url)
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
    from bot.trainers.conversation_report import coverage, format_table, summary, write_report
    from bot.trainers.conversations import run_conversations
    from bot.trainers.files import ConversationError, default_files, load_files

    paths = [Path(f) for f in args.files] or default_files()
    try:
        guides = load_guides(guides_dir())
        loaded = load_files(paths)
    except (ConversationError, GuideError) as error:
        print(f"cannot run the conversations:\n{error}", file=sys.stderr)
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


def trainer_add(args: argparse.Namespace) -> int:
    """`make trainer-add NAME=…`: create or change a trainer account; only the password's hash is written."""
    import getpass

    from bot.trainers.workbench.accounts import (
        AccountsError,
        accounts_file,
        check_name,
        check_password,
        write_account,
    )

    problem = check_name(args.name)
    if problem:
        print(f"trainer-add: name {args.name!r}: {problem}", file=sys.stderr)
        return 2
    try:
        path = accounts_file()
        if args.password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass(f"Passwort für {args.name}: ")
            if password != getpass.getpass("Noch einmal: "):
                print("trainer-add: the two passwords differ; nothing written", file=sys.stderr)
                return 2
        problem = check_password(password)
        if problem:
            print(f"trainer-add: password: {problem}; nothing written", file=sys.stderr)
            return 2
        new = write_account(path, args.name, password)
    except (AccountsError, SettingsError) as error:
        print(f"trainer-add: {error}", file=sys.stderr)
        return 2
    except (EOFError, KeyboardInterrupt):
        print("\ntrainer-add: nothing written", file=sys.stderr)
        return 130
    print(f"{'added' if new else 'changed'} trainer {args.name!r} in {path} (argon2 hash, mode 600)")
    print("sign in at http://localhost:8080/trainer (no restart needed)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="lotse", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check-guides", help="check all trainer files").set_defaults(func=check_guides)
    bench = commands.add_parser("bench", help="measure Lotse next to stock Rasa (make bench)")
    benchmark.add_arguments(bench)
    bench.set_defaults(func=benchmark.run)
    commands.add_parser("purge", help="delete conversations and logs older than the retention").set_defaults(
        func=purge_old
    )
    report = commands.add_parser("feedback-report", help="👎 per guide entry, unanswered questions")
    report.add_argument("--out", default=str(VAR_DIR / "reports" / "feedback.md"), help="the report file")
    report.add_argument("--limit", type=int, default=20, help="how many unanswered questions to list")
    report.set_defaults(func=feedback_report)
    changes = commands.add_parser("guide-changes", help="what changed in the guides between two revisions")
    changes.add_argument("from_revision", metavar="FROM", help="git revision of the old guides")
    changes.add_argument("to_revision", metavar="TO", nargs="?", help="git revision (default: working tree)")
    changes.add_argument("--out-dir", default=str(VAR_DIR / "reports"), help="where the .md and .html go")
    changes.set_defaults(func=guide_changes)
    trainer = commands.add_parser("trainer-add", help="create or change a trainer account of the workbench")
    trainer.add_argument("name", help="the trainer's name (lower case letters, digits, . _ -)")
    trainer.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin (scripts)"
    )
    trainer.set_defaults(func=trainer_add)
    for name, func, text in (
        ("run", run, "start Lotse in the foreground"),
        ("eval", evaluate, "ask an eval file's questions over REST"),
        ("conversations", conversations, "run the test conversations over REST, write the report"),
    ):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("--port", type=int, default=5005, help="Rasa port (REST webhook, health)")
        sub.add_argument("--actions-port", type=int, default=5055)
        sub.set_defaults(func=func)
        if name == "run":
            sub.add_argument("--web-port", type=int, default=8080, help="the widget's page (0: none)")
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
    try:
        settings()  # every LOTSE_* variable checked before any work, named in the message if bad
    except SettingsError as error:
        print(f"Lotse: {error}", file=sys.stderr)
        return 2
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
