"""CSV and XLSX exports of responses. Never monitoring data; personal details only for those who may see them.
Cells that a spreadsheet would run as a formula get a leading apostrophe."""

import csv
import io

from openpyxl import Workbook

from crm.consultations import queries
from crm.consultations.models import Consultation
from crm.core import audit
from crm.core.time import govuk_date_time

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _rows(consultation: Consultation, personal: bool):
    questions = list(consultation.questions)
    head = ["Reference", "Received", "Channel", "Status", "Responding as", "Group"]
    if personal:
        head += ["Name", "Email"]
    head += ["Language"] + [f"Q{n}. {q.text}" for n, q in enumerate(questions, start=1)]
    yield head
    for response in queries.responses_for_export(consultation.id):
        by_question: dict[int, list[str]] = {}
        for answer in response.answers:
            by_question.setdefault(answer.question_id, []).append(
                answer.text if answer.text is not None else answer.value
            )
        row = [
            response.reference,
            govuk_date_time(response.received_at),
            response.channel_label,
            response.status_label,
            response.respondent_label,
            response.group_label,
        ]
        if personal:
            row += [response.name, response.email]
        row.append(response.language)
        for question in questions:
            values = by_question.get(question.id, [])
            row.append("; ".join(question.option_label(v) if question.is_choice else v for v in values))
        yield [neutralise(cell) for cell in row]


def export_responses(
    actor, consultation: Consultation, file_format: str, personal: bool
) -> tuple[bytes, str]:
    audit.record(
        actor,
        f"responses.exported_{file_format}",
        consultation,
        ["answers", *(["email", "name"] if personal else [])],
    )
    rows = _rows(consultation, personal)
    if file_format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerows(rows)
        return ("\ufeff" + buffer.getvalue()).encode("utf-8"), "text/csv"
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Responses")
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
