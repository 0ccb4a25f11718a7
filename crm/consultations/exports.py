"""CSV and XLSX exports of responses. Never monitoring data; personal details only for those who may see them.
The rows are plain values: crm.core.spreadsheets writes them and makes every cell formula-safe."""

from collections.abc import Iterator

from crm.consultations import queries
from crm.consultations.models import CHANNELS, RESPONDENT_KINDS, RESPONSE_STATUSES, Consultation
from crm.core import audit


def record_export(actor, consultation: Consultation, file_format: str, personal: bool) -> None:
    """The export is on record (who took the answers, with names and emails or without) before the file."""
    audit.record(
        actor,
        f"responses.exported_{file_format}",
        consultation,
        ["answers", *(["email", "name"] if personal else [])],
    )


def record_monitoring_export(actor, consultation: Consultation, file_format: str) -> None:
    """Suppressed equality-monitoring totals taken away as a file are on record too."""
    audit.record(actor, f"monitoring.exported_{file_format}", consultation, ["monitoring"])


def response_rows(consultation_id: int, personal: bool) -> Iterator[list]:
    """The header, then a row per response with an answer column per question. Everything is read as the
    rows are written, responses a batch at a time, so it works after the request has committed.

    One value per cell: a multiple-choice question has a column per option ("Q3. Which services do you
    use? [Buses]", "Yes" where ticked) rather than the options joined in one cell."""
    questions = queries.questions_for_export(consultation_id)
    head = ["Reference", "Received", "Channel", "Status", "Responding as", "Group"]
    if personal:
        head += ["Name", "Email"]
    head.append("Language")
    for number, question in enumerate(questions, start=1):
        if question.kind == "multiple_choice":
            head += [f"Q{number}. {question.text} [{label}]" for _code, label in question.choices]
        else:
            head.append(f"Q{number}. {question.text}")
    yield head
    # Option labels by question, worked out once rather than once per answer.
    labels = {question.id: dict(question.choices) if question.is_choice else {} for question in questions}
    for response in queries.responses_for_export(consultation_id):
        by_question: dict[int, list[str]] = {}
        for question_id, value in response.answers:
            by_question.setdefault(question_id, []).append(value)
        row = [
            response.reference,
            response.received_at,
            CHANNELS.get(response.channel, response.channel),
            RESPONSE_STATUSES.get(response.status, response.status),
            RESPONDENT_KINDS.get(response.respondent_kind, response.respondent_kind),
            response.group,
        ]
        if personal:
            row += [response.name, response.email]
        row.append(response.language)
        for question in questions:
            given = by_question.get(question.id, [])
            if question.kind == "multiple_choice":
                row += ["Yes" if code in given else "" for code, _label in question.choices]
            else:
                row.append(labels[question.id].get(given[0], given[0]) if given else "")
        yield row
