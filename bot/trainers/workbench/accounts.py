"""Trainer accounts: one file of argon2 hashes outside the repository, and the trainer token.

The file (LOTSE_TRAINER_ACCOUNTS_FILE, default ~/.config/lotse/trainers, mode 600) holds one line per
trainer, `name:$argon2id$…` – never a password. `python -m bot.cli trainer-add NAME` writes it; the
web server reads it at every sign-in, so a new account works without a restart. The trainer token
(LOTSE_TRAINER_TOKEN, in the environment or the secrets file like the other secrets) signs a trainer
in under any valid name. Without either the workbench is off.

Why argon2 (argon2-cffi): a memory-hard hash a stolen file does not give away cheaply, from a
well-kept library, with its own constant-time check. An unknown name is checked against a dummy
hash, so the answer takes as long as for a known one; the token is compared with
`hmac.compare_digest`.
"""

from __future__ import annotations

import functools
import hmac
import os
import re
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from bot.serving.security import SettingsError, load_secrets, outside_repository
from bot.settings import env_name, settings
from bot.trainers.files import write_atomically

ACCOUNTS_FILE_ENV = env_name("trainer_accounts_file")
TOKEN_ENV = env_name("trainer_token")
DEFAULT_FILE_NAME = "trainers"
NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,39}$")
HASH_PREFIX = "$argon2id$"
MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_CHARS = 1024  # argon2 takes any length; a megabyte "password" is only work for the server
ADD_COMMAND = ".venv/bin/python -m bot.cli trainer-add NAME"


class AccountsError(SettingsError):
    """The accounts file is unusable; the message names the file and line (a SettingsError: the web
    server does not start on it, as on a bad setting)."""


def accounts_file() -> Path:
    """LOTSE_TRAINER_ACCOUNTS_FILE, or ~/.config/lotse/trainers; refused inside the repository."""
    return outside_repository(settings().trainer_accounts_file, DEFAULT_FILE_NAME, ACCOUNTS_FILE_ENV)


def read_accounts(path: Path) -> dict[str, str]:
    """name → argon2 hash; a missing file is no account. Any other line is refused, naming it."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeError) as error:
        raise AccountsError(f"{path}: cannot be read: {error}") from None
    accounts: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, hashed = line.partition(":")
        if not NAME.match(name) or not hashed.startswith(HASH_PREFIX):
            raise AccountsError(f"{path}:{number}: expected NAME:{HASH_PREFIX}… (written by `{ADD_COMMAND}`)")
        accounts[name] = hashed
    return accounts


def check_name(name: str) -> str | None:
    """Why a trainer name is unusable, or None."""
    if not NAME.match(name):
        return (
            "1–40 Zeichen: Kleinbuchstaben, Ziffern, Punkt, Binde- und Unterstrich, am Anfang keine Zeichen"
        )
    return None


def check_password(password: str) -> str | None:
    """Why a new password is refused, or None."""
    if len(password) < MIN_PASSWORD_CHARS:
        return f"mindestens {MIN_PASSWORD_CHARS} Zeichen"
    if len(password) > MAX_PASSWORD_CHARS:
        return f"höchstens {MAX_PASSWORD_CHARS} Zeichen"
    return None


@functools.cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id with the library's current recommended parameters


@functools.cache
def _dummy_hash() -> str:
    """A hash no password matches, checked for unknown names so they cost the same time."""
    return _hasher().hash(os.urandom(32).hex())


def write_account(path: Path, name: str, password: str) -> bool:
    """Add or change one account (only its hash is written; file mode 600); True when it was new."""
    problem = check_name(name) or check_password(password)
    if problem:
        raise AccountsError(problem)
    accounts = read_accounts(path)
    new = name not in accounts
    accounts[name] = _hasher().hash(password)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    text = "# Lotse trainer accounts (argon2 hashes), written by `bot.cli trainer-add`; never commit\n"
    text += "".join(f"{each}:{hashed}\n" for each, hashed in sorted(accounts.items()))
    write_atomically(path, text, 0o600)
    return new


@dataclass(frozen=True)
class Credentials:
    """What may sign in now: the accounts of the file and the trainer token."""

    accounts: dict[str, str]
    token: str | None

    @property
    def enabled(self) -> bool:
        return bool(self.accounts or self.token)

    def verify(self, name: str, password: str) -> bool:
        """Whether `password` signs `name` in: its account's password, or the trainer token."""
        if check_name(name) is not None or not password or len(password) > MAX_PASSWORD_CHARS:
            _verify(_dummy_hash(), password[:MAX_PASSWORD_CHARS])  # the same time as a real check
            return False
        hashed = self.accounts.get(name)
        if _verify(hashed or _dummy_hash(), password) and hashed is not None:
            return True
        return self.token is not None and hmac.compare_digest(password.encode(), self.token.encode())


def _verify(hashed: str, password: str) -> bool:
    try:
        return bool(_hasher().verify(hashed, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def credentials() -> Credentials:
    """The accounts file and the token as they are now (read at each sign-in: no restart needed)."""
    return Credentials(read_accounts(accounts_file()), load_secrets().trainer_token)
