"""A copy of everything held about a person (UK GDPR Art. 15): one zip with the whole record as JSON and a
CSV per kind, formula-safe (crm.core.spreadsheets). A person's records are few, so it is built in memory."""

import csv
import io
import json
import zipfile

from flask import Response

from crm.core.spreadsheets import BYTE_ORDER_MARK, neutralised
from crm.privacy.models import DataRequest
from crm.privacy.queries import PersonRecords


def _when(value) -> str:
    return value.isoformat() if value is not None else ""


def _records(found: PersonRecords) -> dict[str, list[dict]]:
    responses = [
        {
            "receipt_reference": response.reference,
            "consultation": response.consultation.title,
            "received_at": _when(response.received_at),
            "status": response.status_label,
            "channel": response.channel_label,
            "responding": response.respondent_label,
            "group_name": response.group_name,
            "name": response.name,
            "email": response.email,
            "wants_updates_by_email": response.wants_updates,
            "outcome_emailed_at": _when(response.outcome_emailed_at),
            "language": response.language,
            "answers": [
                {
                    "question": answer.question.text,
                    "answer": answer.text
                    if answer.text is not None
                    else answer.question.option_label(answer.value),
                }
                for answer in response.answers
            ],
        }
        for response in found.responses
    ]
    contacts = [
        {
            "group": contact.group.name if contact.group else "",
            "name": contact.name,
            "role": contact.role,
            "email": contact.email,
            "phone": contact.phone,
            "preferred_language": contact.preferred_language,
            "access_needs": contact.access_needs,
            "consent_given": contact.consent_given,
            "consent_date": _when(contact.consent_date),
            "consent_method": contact.consent_method,
            "consent_wording": contact.consent_wording,
            "do_not_contact": contact.do_not_contact,
        }
        for contact in found.contacts
    ]
    feedback = [
        {
            "received_at": _when(item.received_at),
            "source": item.source,
            "consultation": item.consultation.title if item.consultation else "",
            "text": item.text,
        }
        for item in found.feedback
    ]
    return {"responses": responses, "contacts": contacts, "feedback": feedback}


def _csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    buffer.write(BYTE_ORDER_MARK)
    writer = csv.writer(buffer)
    if rows:
        writer.writerow(neutralised(rows[0].keys()))
        for row in rows:
            writer.writerow(neutralised(row.values()))
    return buffer.getvalue()


def build_zip(data_request: DataRequest, found: PersonRecords) -> bytes:
    records = _records(found)
    answers = [
        {"receipt_reference": response["receipt_reference"], **answer}
        for response in records["responses"]
        for answer in response["answers"]
    ]
    response_rows = [
        {k: v for k, v in response.items() if k != "answers"} for response in records["responses"]
    ]
    document = {"request": data_request.reference, **records}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("your-information.json", json.dumps(document, indent=2, ensure_ascii=False))
        archive.writestr("responses.csv", _csv(response_rows))
        archive.writestr("answers.csv", _csv(answers))
        archive.writestr("contacts.csv", _csv(records["contacts"]))
        archive.writestr("feedback.csv", _csv(records["feedback"]))
    return buffer.getvalue()


def download(data_request: DataRequest, found: PersonRecords) -> Response:
    response = Response(build_zip(data_request, found), mimetype="application/zip")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{data_request.reference.lower()}-data.zip"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response
