"""Personal data out of staff messages: taken out for the answer, and an allow-list for storage.

Staff paste customer data into the chat ("Herr Mustermann, Kd-Nr. 123D456789, Tel. 0911
1234567, will seinen Termin absagen"). Lotse never needs it, so one pass over the message
gives two texts:

- `Redacted.text`, what NLU and the actions read (in memory only): the message with every
  detail that is recognisably personal taken out — names after a cue or from the name lists,
  numbers that are neither a date of the case nor a number of the guides, e-mail addresses,
  addresses, dates of birth — so the answer is the answer to the same question without them.
- `Redacted.stored`, the only form that may reach a disk or a log: an **allow-list**. It keeps
  the words Lotse knows (its guides, domain and training data, and the common German and
  English words of `wordfreq`), dates of the case and the guides' own numbers, the agency's
  functional postboxes, and punctuation; every other token becomes a placeholder. A name or a
  number that no rule recognises is still not stored, because it is not a known word.

The pass is linear in the message length: the text is cut into whitespace chunks and those
into sub-tokens by patterns that match each character once, and every rule looks at a bounded
window of tokens (tests/bot/serving/test_redaction.py compares n and 4n characters).

The pieces: `patterns` (what the rules look for), `tokens` (the message's tokens and marks),
the rules by kind (`addresses`, `numbers`, `names`) and `output` (the two texts). The lexicon
they read is `bot.serving.lexicon`.
"""

from __future__ import annotations

from bot.serving.lexicon import lexicon
from bot.serving.redaction.addresses import address_rules, chunk_rules
from bot.serving.redaction.names import name_rules
from bot.serving.redaction.numbers import number_rules
from bot.serving.redaction.output import Redacted, redacted
from bot.serving.redaction.patterns import ADDRESS, CASE_YEARS, DATE, EMAIL, NAME, NUMBER, WORD, date_year
from bot.serving.redaction.tokens import Message, joining_signs

__all__ = [
    "ADDRESS",
    "CASE_YEARS",
    "DATE",
    "EMAIL",
    "NAME",
    "NUMBER",
    "WORD",
    "Redacted",
    "date_year",
    "for_storage",
    "redact",
]


def redact(text: str) -> Redacted:
    """The message for NLU (personal data out) and for storage (allow-list), in one linear pass.

    The order matters: whole chunks and numbers first (an e-mail address or a phone number is no
    name), addresses before names (a street is no surname), and the signs inside a value last.
    """
    message = Message(text, lexicon())
    chunk_rules(message)
    number_rules(message)
    address_rules(message)
    name_rules(message)
    joining_signs(message)
    return redacted(message)


def for_storage(text: str) -> str:
    """What of a text may be stored or logged: known words, the guides' numbers, placeholders."""
    return redact(text).stored
