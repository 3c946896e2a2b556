"""The one settings object: every LOTSE_* variable typed, defaulted and refused with its name."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.paths import PROJECT_ROOT
from bot.settings import Settings, SettingsError, env_name, settings

README = PROJECT_ROOT / "README.md"


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("LOTSE_ACTIONS_PORT", "fünf", "LOTSE_ACTIONS_PORT must be a whole number"),
        ("LOTSE_WEB_PORT", "70000", "LOTSE_WEB_PORT must be a whole number of at most 65535"),
        ("LOTSE_RETENTION_DAYS", "0", "LOTSE_RETENTION_DAYS must be a whole number of at least 1"),
        ("LOTSE_MAX_MESSAGES_PER_SECOND", "1.5", "LOTSE_MAX_MESSAGES_PER_SECOND must be a whole number"),
        ("LOTSE_TODAY", "2025-13-01", "LOTSE_TODAY must be an ISO date"),
        ("LOTSE_SPEEDUPS", "vielleicht", "LOTSE_SPEEDUPS must be 1/0, true/false or yes/no"),
        ("LOTSE_LOG_LEVEL", "loud", "LOTSE_LOG_LEVEL must be one of DEBUG, INFO"),
        ("LOTSE_CORS_ORIGINS", "*", "LOTSE_CORS_ORIGINS: '*' is not an origin"),
        (
            "LOTSE_WEB_CORS_ORIGINS",
            "https://a.example/page",
            "LOTSE_WEB_CORS_ORIGINS: 'https://a.example/page'",
        ),
    ],
)
def test_a_bad_value_is_refused_with_the_variables_name(variable: str, value: str, says: str) -> None:
    with pytest.raises(SettingsError) as raised:
        Settings.from_environ({variable: value})
    assert str(raised.value).startswith(says)


def test_every_bad_value_is_named_at_once() -> None:
    with pytest.raises(SettingsError) as raised:
        Settings.from_environ({"LOTSE_ACTIONS_PORT": "x", "LOTSE_RETENTION_DAYS": "-3"})
    assert "LOTSE_ACTIONS_PORT" in str(raised.value) and "LOTSE_RETENTION_DAYS" in str(raised.value)


def test_values_are_typed_and_an_empty_value_means_the_default() -> None:
    config = Settings.from_environ(
        {
            "LOTSE_ACTIONS_PORT": "6055",
            "LOTSE_TODAY": "2025-07-01",
            "LOTSE_SPEEDUPS": "0",
            "LOTSE_WEB_HOST": "",
        }
    )
    assert (config.actions_port, str(config.today), config.speedups) == (6055, "2025-07-01", False)
    assert config.web_host == "127.0.0.1"
    assert config.origins("cors_origins") == ["http://localhost:8080", "http://127.0.0.1:8080"]
    assert Settings.from_environ({"LOTSE_CORS_ORIGINS": ""}).origins("cors_origins") == []  # a choice


def test_a_secret_never_shows_in_the_settings_text() -> None:
    config = Settings.from_environ(
        {"LOTSE_API_TOKEN": "tok-123", "LOTSE_FEEDBACK_DB_URL": "postgresql://u:pw@db"}
    )
    assert "tok-123" not in repr(config) and "pw@db" not in str(config)
    assert config.secret("api_token") == "tok-123"


def test_another_environment_does_not_mix_with_the_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOTSE_ACTIONS_PORT", "6001")
    assert settings().actions_port == 6001  # read now, not cached from an earlier call
    assert Settings.from_environ({}).actions_port == 5055


def _named_in(paths: list[Path]) -> set[str]:
    names: set[str] = set()
    for path in paths:
        names |= set(re.findall(r"LOTSE_[A-Z_]+[A-Z]", path.read_text(encoding="utf-8")))
    return names


def test_every_variable_the_code_names_is_a_setting_and_in_the_readme() -> None:
    code = [p for p in (PROJECT_ROOT / "bot").rglob("*.py")] + list((PROJECT_ROOT / "actions").glob("*.py"))
    declared = {env_name(field) for field in Settings.__fields__}
    assert _named_in(code) - declared == set()
    assert declared - _named_in([README]) == set(), "every setting is documented in the README"


def test_a_server_with_a_bad_setting_says_so_and_does_not_start(tmp_path: Path) -> None:
    env = dict(os.environ, LOTSE_ACTIONS_PORT="fünf", PYTHONPATH=str(PROJECT_ROOT))
    for module in ("bot.serving.action_server", "bot.serving.web", "bot.ops.web", "bot.cli"):
        args = [sys.executable, "-m", module] + (["check-guides"] if module == "bot.cli" else [])
        done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path)
        assert done.returncode == 2, (module, done.stderr)
        assert "LOTSE_ACTIONS_PORT must be a whole number" in done.stderr and "Traceback" not in done.stderr
