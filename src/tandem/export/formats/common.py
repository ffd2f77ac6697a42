"""What every format shares: the export context, item grouping, prompts and agreement."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from tandem.auth.security import pseudonym
from tandem.export import repository
from tandem.export.schemas import ExportOptions, ExportStats
from tandem.models import Project
from tandem.projects.answers import majority_answer
from tandem.projects.forms import Form, Question, SpanQuestion, TextQuestion

ItemGroup = tuple[int, list[Row[Any]]]  # item id, its submission rows
PAYLOAD_CHUNK = 1000


@dataclass
class ExportContext:
    """One export run: the project, its form, the options and the running figures."""

    db: Session
    project: Project
    form: Form
    options: ExportOptions
    stats: ExportStats = field(default_factory=ExportStats)
    _names: dict[int, str] = field(default_factory=dict)

    def annotator(self, expert_id: int) -> str:
        """The expert's pseudonym for this project's organization (cached: it is an HMAC)."""
        name = self._names.get(expert_id)
        if name is None:
            name = self._names[expert_id] = pseudonym(expert_id, self.project.org_id)
        return name

    def keeps(self, agreement: float | None) -> bool:
        """Whether an item with this agreement passes the min_agreement filter."""
        floor = self.options.min_agreement
        return floor is None or agreement is None or agreement >= floor


def as_text(value: Any) -> str:
    """A payload value as training text: strings as they are, anything else as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("text"), str):
        return value["text"]
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def prompt_of(payload: dict[str, Any], opts: ExportOptions, question: Question) -> str:
    """The prompt of an item: payload[prompt_field], else the question's own prompt."""
    if opts.prompt_field in payload:
        return as_text(payload[opts.prompt_field])
    return question.prompt


def item_agreement(form: Form, responses: Iterable[dict[str, Any]]) -> float | None:
    """Mean majority share over the item's questions with a comparable answer (not free text)."""
    responses = list(responses)
    shares = []
    for q in form.questions:
        if isinstance(q, TextQuestion | SpanQuestion):
            continue
        values = [r[q.id] for r in responses if r.get(q.id) is not None]
        outcome = majority_answer(q, values)
        if outcome is not None:
            shares.append(outcome[1])
    return sum(shares) / len(shares) if shares else None


def group_by_item(batches: Iterable[Sequence[Row[Any]]]) -> Iterator[list[ItemGroup]]:
    """Complete per-item groups from batches sorted by item; an item never spans two yields."""
    groups: list[ItemGroup] = []
    for batch in batches:
        for row in batch:
            if groups and groups[-1][0] == row.item_id:
                groups[-1][1].append(row)
            else:
                groups.append((row.item_id, [row]))
        if len(groups) > 1:
            # the last group may continue in the next batch
            yield groups[:-1]
            groups = groups[-1:]
    if groups:
        yield groups


def payload_chunks(
    ctx: ExportContext, item_ids: Sequence[int]
) -> Iterator[list[tuple[int, str | None, dict[str, Any]]]]:
    """(item id, external id, payload) for these items, a bounded chunk at a time."""
    for start in range(0, len(item_ids), PAYLOAD_CHUNK):
        ids = list(item_ids[start : start + PAYLOAD_CHUNK])
        found = repository.payloads(ctx.db, ctx.project.id, ids)
        yield [(i, *found[i]) for i in ids if i in found]


@dataclass
class Answers:
    """The whole project's training answers, by question, with each item's agreement."""

    by_question: dict[str, list[tuple[int, int, Any]]]
    agreement: dict[int, float | None]


def load_answers(ctx: ExportContext) -> Answers:
    """Answers of the filtered submissions (a project's labels fit in memory by design)."""
    rows = repository.answers(ctx.db, ctx.project.id, ctx.options)
    by_question: dict[str, list[tuple[int, int, Any]]] = {q.id: [] for q in ctx.form.questions}
    by_item: dict[int, list[dict[str, Any]]] = {}
    for item_id, expert_id, response in rows:
        by_item.setdefault(item_id, []).append(response)
        for q in ctx.form.questions:
            if response.get(q.id) is not None:
                by_question[q.id].append((item_id, expert_id, response[q.id]))
    agreement = {i: item_agreement(ctx.form, rs) for i, rs in by_item.items()}
    ctx.stats.submissions = len(rows)
    ctx.stats.annotators.update(r[1] for r in rows)
    return Answers(by_question, agreement)


def kept_items(ctx: ExportContext, answers: Answers, item_ids: Iterable[int]) -> list[int]:
    """The items (sorted) that pass the agreement filter; counted on the card."""
    kept = sorted(i for i in set(item_ids) if ctx.keeps(answers.agreement.get(i)))
    for item_id in kept:
        ctx.stats.add_agreement(answers.agreement.get(item_id))
    ctx.stats.items = len(kept)
    return kept
