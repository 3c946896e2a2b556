"""Tell German from English in short, hurried staff questions.

Staff messages are a few words full of German jargon ("ASU", "VÄM", "EAKTE")
that also appears in English questions, so general-purpose language detectors
guess badly on them. Counting common function words of each language is
predictable, fast and good enough; when the count does not decide, the caller
keeps the conversation's language (German for a new one).
"""

from __future__ import annotations

import re
from typing import Optional

_WORD = re.compile(r"[a-zäöüß]+", re.IGNORECASE)

_GERMAN = frozenset(
    """
    der die das den dem des ein eine einer einen einem und oder aber nicht kein keine wer was wo
    wohin wann wie warum welche welcher welches bearbeitet bearbeiten macht machen ist sind war
    hat haben hatte gibt geht gehen kommt kommen bei mit von vom zum zur für fuer auf aus im
    ins über ueber noch schon mal wird werden wurde muss müssen muessen soll sollen kann können
    koennen darf ich wir sie es er man mir uns dann denn doch bitte danke hallo moin servus gilt
    seit bis ab zuständig zustaendig kümmert kuemmert telefonisch kunde kundin kunden frage neue
    ja nein nee genau steht stehen gesperrt sperre wenn ob dass auch nur alle jetzt heute morgen
    tag guten dürfen duerfen betrifft wieso weshalb bleibt landet landen eingangszone
    """.split()
)

_ENGLISH = frozenset(
    """
    the a an and or but not no who what where when how why which whose handles handle handled
    does do did is are were has have had there goes go come comes with from to for of on at
    into about still already ever never will would should shall must can could may i we you
    they it he she me us then please thanks thank hello hi hey applies apply since until after
    before responsible customer customers question new yes yep nope exactly written says blocked
    if whether also only all now today morning day good affect affects stays stay deal deals
    takes take process processes processed office by via sent send my our your this that
    these those
    """.split()
)


def detect_language(text: str) -> Optional[str]:
    """'de' or 'en' when the words decide, None when they do not."""
    words = [w.lower() for w in _WORD.findall(text)]
    german = sum(w in _GERMAN for w in words) + sum(ch in "äöüß" for ch in text.lower())
    english = sum(w in _ENGLISH for w in words)
    if german == english:
        return None
    return "de" if german > english else "en"
