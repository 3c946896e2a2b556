"""Turn what the engine found into the reply staff see: text, buttons, payload.

Every reply from the guides follows one contract (README, "The answer
contract"): the first line is a verdict an agent can read out, then the
detail, then the source; the `custom.answer` payload carries the same facts
for the widget, the trainers' tests and the eval. The widget renders from the
payload alone (verdict, detail, validity and source texts, the unit's label from
vocabulary.yml), so it never parses the text and knows no unit by name.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from typing import Any

from bot.answering.did_you_mean import Suggestion
from bot.answering.engine import OTHER, Answer, Clarify, NotCovered, Resolution
from bot.answering.guides import Bilingual, Entry, FollowUpAttribute, Guides
from bot.answering.payload import Reply, answer_payload, days_named, format_date, joined, new_since
from bot.answering.responses import Responses, instruction_values


class AnswerWriter:
    """Writes replies in German or English from the guides and the bot's responses."""

    def __init__(self, guides: Guides, responses: Responses) -> None:
        self.guides = guides
        # `{instruction}` in domain.yml's sentences is the number of the instruction in force (from
        # these guides, not the domain's): a new instruction is named without a code or domain change
        self.responses = responses.with_values(**instruction_values(guides.instruction))

    def _payload(self, kind: str, lang: str, **fields: Any) -> dict[str, Any]:
        """The answer payload, stamped with the guides version (a hash of the files) that gave it.

        Feedback stores this stamp, so a trainer sees which guides a 👎 was about. The unit's label
        comes from vocabulary.yml: a unit a trainer declares there needs no change to the widget.
        """
        unit_label = self.guides.unit_label(fields.get("unit"), lang)
        payload = answer_payload(kind, lang, unit_label=unit_label, **fields)
        payload["answer"]["guides_version"] = self.guides.version
        return payload

    # --- pieces ---------------------------------------------------------------

    def source_of(self, entry: Entry, lang: str) -> dict[str, str]:
        """The source's parts, and as `text` the source line the reply shows (what the widget shows)."""
        instruction = self.guides.instruction_of(entry)
        return {
            "document": f"Weisung {instruction.number}",
            "section": entry.section,
            "guide": self.guides.documents[entry.document].title.get(lang),
            "text": self.source_line(entry, lang),
        }

    def source_line(self, entry: Entry, lang: str) -> str:
        instruction = self.guides.instruction_of(entry)
        section = instruction.sections[entry.section].get(lang)
        return self.responses.text(
            "utter_source_line",
            lang,
            document=instruction.label.get(lang),
            section=entry.section,
            section_title=section,
            guide=self.guides.documents[entry.document].title.get(lang),
        )

    def validity_line(self, entry: Entry, lang: str) -> str:
        if entry.valid_from and entry.valid_to:
            name, values = "utter_valid_between", {"start": entry.valid_from, "end": entry.valid_to}
        elif entry.valid_to:
            name, values = "utter_valid_until", {"end": entry.valid_to}
        elif entry.valid_from:
            name, values = "utter_valid_from", {"start": entry.valid_from}
        else:
            return ""
        return self.responses.text(name, lang, **{k: format_date(v, lang) for k, v in values.items()})

    def _entry_payload(
        self,
        entry: Entry,
        lang: str,
        kind: str | None = None,
        *,
        lead: Sequence[str] = (),
        detail: Sequence[str] = (),
    ) -> dict[str, Any]:
        """The payload of a reply about one entry; `lead` and `detail` are the lines around its verdict."""
        where = entry.answer.where.get(lang) if entry.answer.where else None
        deadline = entry.answer.deadline
        if isinstance(deadline, Bilingual):
            deadline = deadline.get(lang)
        extra = {k: v for k, v in (("deadline", deadline), ("form", entry.answer.form)) if v}
        return self._payload(
            kind or entry.kind,
            lang,
            topic=entry.id,
            unit=entry.answer.unit,
            verdict=entry.text.get(lang).verdict,
            lead=joined(lead),
            detail=joined(detail),
            where=where,
            valid_from=entry.valid_from,
            valid_to=entry.valid_to,
            validity=self.validity_line(entry, lang) or None,
            source=self.source_of(entry, lang),
            **extra,
        )

    def _text_payload(self, kind: str, lang: str, lines: Sequence[str], **fields: Any) -> dict[str, Any]:
        """The payload of a reply not about one entry: its first line is the verdict, the rest detail."""
        return self._payload(kind, lang, verdict=lines[0], detail=joined(lines[1:]), **fields)

    # --- replies --------------------------------------------------------------

    def change(self, entry: Entry, lang: str) -> dict[str, Any]:
        """A rule another one gives way to, as the payload names it: from when, what, where written."""
        return {
            "valid_from": entry.valid_from.isoformat() if entry.valid_from else None,
            "topic": entry.id,
            "unit": entry.answer.unit,
            "verdict": entry.text.get(lang).verdict,
            "source": self.source_of(entry, lang),
        }

    def _change_lines(self, upcoming: Entry | None, replaced_by: Sequence[Entry], lang: str) -> list[str]:
        """Below an answer: the rule that follows it ("Ab 01.01.2027: …"), what replaced it, each sourced."""
        lines = []
        for later in replaced_by:
            document = self.guides.instruction_of(later).label.get(lang)
            lines += [
                self.responses.text(
                    "utter_replaced_by",
                    lang,
                    date=format_date(later.valid_from, lang),
                    document=document,
                    verdict=later.text.get(lang).verdict,
                ),
                self.source_line(later, lang),
            ]
        if upcoming is not None:
            date = format_date(upcoming.valid_from, lang)
            verdict = upcoming.text.get(lang).verdict
            lines += [
                self.responses.text("utter_upcoming_change", lang, date=date, verdict=verdict),
                self.source_line(upcoming, lang),
            ]
        return lines

    def entry_reply(
        self,
        entry: Entry,
        lang: str,
        day: dt.date,
        today: dt.date,
        *,
        upcoming: Entry | None = None,
        replaced_by: Sequence[Entry] = (),
    ) -> Reply:
        """The entry's answer; for another day than today "Stand …:" opens the verdict line itself.

        The first line stays the verdict an agent reads out (the call view shows only it), so the
        day it holds for stands in that line, not above it. The caller passes `day == today`
        when the answer on that day is today's answer anyway. A rule that follows it after today
        (`upcoming`) or replaced it (`replaced_by`) comes last, with its own source: today's rule is
        what staff apply, the coming one what they should know of.
        """
        text = entry.text.get(lang)
        payload = self._entry_payload(entry, lang, detail=[text.detail])
        since = new_since(entry, day)
        payload["answer"]["new_since"] = since.isoformat() if since else None
        verdict = text.verdict
        if day != today:
            as_of = self.responses.text("utter_answer_for_date", lang, date=format_date(day, lang))
            verdict = payload["answer"]["verdict"] = f"{as_of} {verdict}"
        lines = [verdict, text.detail, self.validity_line(entry, lang), self.source_line(entry, lang)]
        changes = self._change_lines(upcoming, replaced_by, lang)
        if changes:
            lines += changes
            payload["answer"]["detail"] = joined([text.detail, *changes])
        payload["answer"]["upcoming"] = self.change(upcoming, lang) if upcoming else None
        payload["answer"]["replaced_by"] = [self.change(later, lang) for later in replaced_by]
        return Reply("\n".join(line for line in lines if line), payload)

    def clarify_reply(self, clarify: Clarify, lang: str) -> Reply:
        condition = self.guides.vocabulary.conditions[clarify.key]
        question = condition.question.get(lang) if condition.question else clarify.key
        buttons = []
        for value in clarify.values:
            if value == OTHER:
                title = self.responses.text("utter_option_other", lang)
            else:
                title = condition.values[value].get(lang)
            click = "/inform" + json.dumps({clarify.key: value}, ensure_ascii=False)
            buttons.append({"title": title, "payload": click})
        payload = self._payload("clarify", lang, verdict=question, asks=clarify.key, options=buttons)
        return Reply(question, payload, buttons)

    def topic_choice_reply(
        self, suggestions: Sequence[Suggestion], lang: str, *, asks_matter: bool = False
    ) -> Reply:
        """'Meinten Sie …?': one button per likely guide subject (bot/answering/did_you_mean.py).

        The payload is a clarifying question about the topic (`asks: topic`); each option names
        the entry its click answers with (`topic`, None when the click asks back first) and every
        entry it can lead to (`topics`).
        """
        labels = self.guides.vocabulary.conditions["subject"].values
        buttons, options = [], []
        for suggestion in suggestions:
            button = {"title": labels[suggestion.subject].get(lang), "payload": suggestion.payload}
            buttons.append(button)
            names = {"subject": suggestion.subject, "topic": suggestion.topic, "topics": suggestion.topics}
            options.append({**button, **names})
        question = self.responses.text("utter_which_matter" if asks_matter else "utter_did_you_mean", lang)
        payload = self._payload("clarify", lang, verdict=question, asks="topic", options=options)
        return Reply(question, payload, buttons)

    def not_covered_reply(self, found: NotCovered, lang: str, day: dt.date, subject: str | None) -> Reply:
        instruction = self.guides.current_instruction(day)  # the earlier ones it names are that day's
        label = self.guides.vocabulary.conditions["subject"].values.get(subject or "")
        topic_label = label.get(lang) if label else ""
        if found.began_later is not None:
            return self._began_later_reply(found.began_later, lang, day, topic_label)
        if found.not_yet or found.no_longer:
            return self._out_of_time_reply(found, lang, day, topic_label)
        if found.outside_dates:
            earlier = ", ".join(e.number for e in instruction.earlier_instructions)
            lines = [
                self.responses.text(
                    "utter_not_covered_date", lang, date=format_date(day, lang), topic=topic_label
                ),
                self.responses.text(
                    "utter_earlier_instructions", lang, numbers=earlier, document=instruction.label.get(lang)
                ),
            ]
        else:
            lines = [self.responses.text("utter_not_covered", lang, topic=topic_label)]
        settled = [e for e in found.related if e.kind != "not_covered"]
        if settled:
            lines.append(self.responses.text("utter_guides_settle", lang))
            lines += [f"• {e.text.get(lang).verdict} ({self.validity_line(e, lang)})" for e in settled]
        source = self.source_of(found.related[0], lang) if found.related else None
        return Reply("\n".join(lines), self._text_payload("not_covered", lang, lines, source=source))

    def per_value_reply(self, key: str, entries: Sequence[Entry], lang: str) -> Reply:
        """A question that asks the very condition Lotse would ask back ("für welche Postfächer ist die
        Sperre freigegeben?"): each entry's verdict under the values it holds for, as a fact."""
        condition = self.guides.vocabulary.conditions[key]
        lines = [self.responses.text("utter_per_value", lang, label=condition.label.get(lang))]
        for entry in entries:
            held = [condition.values[v].get(lang) for v in entry.when.get(key, ()) if v in condition.values]
            lines.append(f"• {', '.join(held)}: {entry.text.get(lang).verdict}")
        payload = self._text_payload("fact", lang, lines, source=self.source_of(entries[0], lang))
        return Reply("\n".join([*lines, self.source_line(entries[0], lang)]), payload)

    def _began_later_reply(self, entry: Entry, lang: str, day: dt.date, topic: str) -> Reply:
        """A past day before today's rule began ("galt am 25.06.2025 schon die neue Zuordnung?"): a fact,
        no: it applies from its first day, with that rule and its source."""
        first = self.responses.text(
            "utter_began_later",
            lang,
            date=format_date(day, lang),
            topic=topic,
            start=format_date(entry.valid_from, lang),
            verdict=entry.text.get(lang).verdict,
        )
        # what the rule holds beyond its verdict ("die Funktion gibt es seit 08.01.2025") answers "ging das
        # damals schon?" as much as its first day does
        return self._rule_reply(entry, first, "fact", lang, detail=entry.text.get(lang).detail)

    def _out_of_time_reply(self, found: NotCovered, lang: str, day: dt.date, topic: str) -> Reply:
        """A case whose rule begins only after today, or ended and nothing followed: said as such,
        with that rule and its source — not "not covered", which would send staff looking elsewhere."""
        if found.not_yet is not None:
            entry, upcoming = found.not_yet, self.change(found.not_yet, lang)
            first = self.responses.text(
                "utter_not_yet_valid",
                lang,
                date=format_date(day, lang),
                topic=topic,
                start=format_date(entry.valid_from, lang),
                verdict=entry.text.get(lang).verdict,
            )
        else:
            assert found.no_longer is not None  # the caller asks for one of them
            entry, upcoming = found.no_longer, None
            first = self.responses.text(
                "utter_no_longer_valid",
                lang,
                topic=topic,
                end=format_date(entry.valid_to, lang),
                verdict=entry.text.get(lang).verdict,
            )
        return self._rule_reply(entry, first, "not_covered", lang, upcoming=upcoming)

    def _rule_reply(
        self, entry: Entry, first: str, kind: str, lang: str, detail: str | None = None, **extra: Any
    ) -> Reply:
        """`first` (and the rule's `detail`, where given), then the rule's source line; the payload names
        the rule and its validity."""
        lines = [first, *([detail] if detail else []), self.source_line(entry, lang)]
        payload = self._text_payload(kind, lang, lines[:-1], source=self.source_of(entry, lang))
        payload["answer"].update(
            topic=entry.id,
            valid_from=entry.valid_from.isoformat() if entry.valid_from else None,
            valid_to=entry.valid_to.isoformat() if entry.valid_to else None,
            **extra,
        )
        return Reply("\n".join(lines), payload)

    def resolution_reply(
        self, found: Resolution, lang: str, day: dt.date, today: dt.date, subject: str | None
    ) -> Reply:
        if isinstance(found, Answer):
            return self.entry_reply(
                found.entry, lang, day, today, upcoming=found.upcoming, replaced_by=found.replaced_by
            )
        if isinstance(found, Clarify):
            return self.clarify_reply(found, lang)
        return self.not_covered_reply(found, lang, day, subject)

    def simple_reply(self, response: str, lang: str, kind: str | None = None, **values: Any) -> Reply:
        """A reply from domain.yml only; with `kind`, it carries an answer payload."""
        text = self.responses.text(response, lang, **values)
        payload = self._text_payload(kind, lang, text.split("\n")) if kind else {}
        return Reply(text, payload)

    def source_reply(self, entry: Entry | None, lang: str) -> Reply:
        """'Where is that written?': the source of the last answer or of the whole instruction."""
        if entry is None and self.guides.vocabulary.without_context.source:
            entry = self.guides.by_id[self.guides.vocabulary.without_context.source]
        if entry is None:
            return self.simple_reply("utter_no_previous_answer", lang, kind="out_of_scope")
        instruction = self.guides.instruction_of(entry)
        section = instruction.sections[entry.section].get(lang)
        verdict = entry.text.get(lang).verdict
        text = self.responses.text(
            "utter_source_answer",
            lang,
            document=instruction.label.get(lang),
            section=entry.section,
            section_title=section,
            date=format_date(instruction.date, lang),
            guide=self.guides.documents[entry.document].title.get(lang),
            verdict=verdict,
        )
        lines = text.split("\n")  # the response places the verdict; the lines around it are lead and detail
        at = lines.index(verdict) if verdict in lines else len(lines)
        payload = self._entry_payload(entry, lang, kind="fact", lead=lines[:at], detail=lines[at + 1 :])
        return Reply(text, payload)

    def section_reply(self, section: str, lang: str, day: dt.date) -> Reply:
        """ "Was steht in Abschnitt 4?": the section's title and what each of its entries (and those of
        its subsections) settles on `day`, as a fact with the section as its source."""
        instruction = self.guides.current_instruction(day)
        entries = [
            e
            for e in self.guides.entries
            if e.instruction == instruction.number
            and (e.section == section or e.section.startswith(section + "."))
            and e.valid_on(day)
            and e.kind != "not_covered"
        ]
        first = self.responses.text(
            "utter_section_contents",
            lang,
            section=section,
            section_title=instruction.sections[section].get(lang),
            document=instruction.label.get(lang),
        )
        lines = [first, *(f"• {e.text.get(lang).verdict}" for e in entries)]
        source = self.source_of(entries[0], lang) if entries else None
        payload = self._text_payload("fact", lang, lines, source=source)
        if source is not None:
            payload["answer"]["source"]["section"] = section
        return Reply("\n".join(lines), payload)

    def detail_not_covered_reply(self, entry: Entry, attribute: FollowUpAttribute, lang: str) -> Reply:
        """A detail the guides do not name ("Bearbeitungsfrist?"): say so, and what they do settle."""
        first = self.responses.text("utter_detail_not_covered", lang, label=attribute.label.get(lang))
        lines = [first, f"• {entry.text.get(lang).verdict}", self.source_line(entry, lang)]
        payload = self._text_payload("not_covered", lang, lines[:2], source=self.source_of(entry, lang))
        payload["answer"]["about"] = entry.id
        return Reply("\n".join(lines), payload)

    def detail_reply(self, entry: Entry, attribute: FollowUpAttribute, lang: str) -> Reply:
        """A follow-up about one detail of an answer ("bis wann?"): the detail, the entry, its source."""
        value: Any = getattr(entry.answer, attribute.field or "", None)
        if isinstance(value, Bilingual):
            value = value.get(lang)
        elif attribute.field == "unit" and value in self.guides.vocabulary.units:
            value = self.guides.vocabulary.units[value].get(lang)
        elif isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            value = format_date(dt.date.fromisoformat(value), lang)
        first = self.responses.text(
            "utter_follow_up_detail", lang, label=attribute.label.get(lang), value=value
        )
        text = entry.text.get(lang)
        lines = [first, text.verdict, text.detail, self.source_line(entry, lang)]
        payload = self._entry_payload(entry, lang, kind="fact", lead=[first], detail=[text.detail])
        return Reply("\n".join(lines), payload)

    def validity_reply(
        self, entry: Entry, lang: str, with_detail: bool = False, of_statement: bool = True
    ) -> Reply:
        """'Since when does that apply?' for the last answer; in a question of its own, with the detail."""
        if entry.valid_from and not entry.valid_to:  # "bis wann?" is asked too: say there is no end
            # from the day the verdict states where it names a later one ("zum 01.07.2025 gesperrt"):
            # one date, the one the card shows (payload.statement_validity)
            stated = days_named(entry.text.get(lang).verdict) if of_statement else set()
            later = [day for day in stated if day > entry.valid_from]
            start = format_date(later[0] if len(later) == 1 else entry.valid_from, lang)
            first = self.responses.text("utter_valid_from_open_ended", lang, start=start)
        else:
            first = self.validity_line(entry, lang) or self.responses.text("utter_valid_always", lang)
        text = entry.text.get(lang)
        # an entry whose detail dates what it lists before its own start (the earlier instructions):
        # "und von wann war die?" asks those dates, which the detail holds
        listed = (
            bool(text.detail)
            and entry.valid_from is not None
            and any(day < entry.valid_from for day in days_named(text.detail))
        )
        detail = [text.detail] if with_detail or listed else []
        lines = [first, text.verdict, *detail, self.source_line(entry, lang)]
        payload = self._entry_payload(entry, lang, kind="fact", lead=[first], detail=detail)
        return Reply("\n".join(lines), payload)

    def why_reply(self, entry: Entry, stated: dict[str, str], lang: str, day: dt.date) -> Reply:
        """'Why?': the conditions of the question and the entry they matched."""
        conditions = self.guides.vocabulary.conditions
        lines = [self.responses.text("utter_why_intro", lang)]
        for key, value in stated.items():
            spec = conditions.get(key)
            label = spec.values[value].get(lang) if spec and value in spec.values else value
            lines.append(f"• {spec.label.get(lang) if spec else key}: {label}")
        lines.append(
            self.responses.text(
                "utter_why_match",
                lang,
                topic=entry.id,
                section=entry.section,
                guide=self.guides.documents[entry.document].title.get(lang),
                document=self.guides.instruction_of(entry).label.get(lang),
                date=format_date(day, lang),
            )
        )
        payload = self._entry_payload(entry, lang, kind="fact", lead=lines)
        lines.append(entry.text.get(lang).verdict)
        return Reply("\n".join(lines), payload)
