"""No form gets a 500: every POST form the app shows, found by reading the pages (so a new form is covered
without being listed here), is sent hostile values — NUL bytes, ids past every integer column, "²" (a digit
to str.isdigit() but not to int()), very long text, nothing at all, several values where one is expected
and choices that are not offered — every field at once, then one field at a time in an otherwise sensible
form. Signed in as an admin (who may use every staff form) and signed out for the public forms. The
PostgreSQL pass sends all of it; the SQLite pass, a shorter sweep (see `variants`): what gets past a form's
checks is the app's doing, the same on both, and PostgreSQL refuses more of what reaches it.

A plain test client and the standard library's HTML parser: this is about status codes, and checking every
page it gets back would make it slow. A page that answers a hostile post with 200 must show an error summary
(rule 4.3: a clear error next to the field, nothing saved).
"""

import io
import re
import zlib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from crm.eias.models import ACTION_STATUSES
from crm.eias.service import start_eia
from crm.extensions import db
from tests.consultation_factories import make_consultation
from tests.factories import PASSWORD, make_group, make_user
from tests.policy_factories import make_event, make_policy
from tests.web.test_url_fuzz import _get_rules, _values, records  # noqa: F401 (a fixture)

LONG = "Ŵ" * 5000 + "x" * 20_000
HOSTILE = (
    "a\x00b",  # PostgreSQL refuses a NUL byte in text
    str(2**40),  # past PostgreSQL's integer
    str(10**20),  # past a 64-bit integer
    "²",
    "-1",
    LONG,
    "",
    "not-a-choice",
)
# Past SQLite's 64-bit integer, not a number to int(), and too long: what SQLite's pass sends.
SQLITE_HOSTILE = (str(10**20), "²", LONG, "not-a-choice")
# One field at a time, in an otherwise sensible form: the values most likely to get past a form's checks
# and reach the database, for a box and for a choice.
# (A NUL byte and "²" share one value: NUL bytes are dropped as the request is read, leaving the "²".)
SINGLE_TEXT = ("a\x00b²", LONG)
SINGLE_CHOICE = ("²\x00", str(10**20), "not-a-choice")
# Fields of one form sent a single bad value each round (a share of a bigger form's, a different share
# each round).
MOST_SINGLE_FIELDS = 15
# Routes whose post ends the session: tried last, once, by themselves.
SIGN_OUT = "auth.sign_out"


@dataclass
class Form:
    page: str
    action: str
    # (name, kind, value, checked) in document order; kind is the input type, "select", "textarea"...
    fields: list[tuple[str, str, str, bool]] = field(default_factory=list)
    options: dict[str, list[str]] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return list(dict.fromkeys(name for name, *_ in self.fields if name != "csrf_token"))


class _FormReader(HTMLParser):
    """Every POST form on a page, with its fields, as a browser sees them."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page, self.forms, self.form = page, [], None
        self.select, self.option, self.textarea = None, None, None

    def handle_starttag(self, tag, attrs):
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                self.form = Form(self.page, a.get("action") or self.page)
            return
        if self.form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if a.get("tabindex") == "-1" and kind not in ("hidden", "radio", "checkbox"):
                kind = "honeypot"  # out of a person's reach, left empty: a bot fills it in
            if kind != "file":
                self.form.fields.append((name, kind, a.get("value", ""), "checked" in a))
            if kind in ("radio", "checkbox"):
                self.form.options.setdefault(name, []).append(a.get("value", "on"))
        elif tag == "button" and name:
            self.form.fields.append((name, "button", a.get("value", ""), False))
        elif tag == "select" and name:
            self.select = [name, "multiple" in a, []]
            self.form.options.setdefault(name, [])
        elif tag == "option" and self.select is not None:
            self.option = [a.get("value"), "selected" in a, ""]
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.option is not None:
            self.option[2] += data
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "option" and self.option is not None:
            value, selected, text = self.option
            value = text.strip() if value is None else value
            self.select[2].append((value, selected))
            self.form.options[self.select[0]].append(value)
            self.option = None
        elif tag == "select" and self.select is not None:
            name, _multiple, options = self.select
            chosen = [value for value, selected in options if selected]
            if not chosen:
                useful = [value for value, _ in options if value not in ("", "0")]
                chosen = useful[:1] or [value for value, _ in options][:1]
            for value in chosen:
                self.form.fields.append((name, "select", value, True))
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            name, text = self.textarea
            self.form.fields.append((name, "textarea", text.lstrip("\n") or "Some words", True))
            self.textarea = None
        elif tag == "form" and self.form is not None:
            self.forms.append(self.form)
            self.form = None


def _filler(name: str, kind: str, position: int) -> str:
    """Something sensible for an empty box, so that one hostile field is the form's only problem."""
    lowered = name.lower()
    if kind == "url" or "website" in lowered:
        return "https://www.example.org"
    if "email" in lowered or kind == "email":
        return "fuzz@example.org"
    if kind == "tel" or "phone" in lowered:
        return "0121 496 0000"
    if kind == "number" or lowered.endswith(("_id", "count", "attendance", "length")):
        return "1"
    if lowered.endswith(("date", "_on", "_at", "from", "to", "_day", "due")):
        # A GOV.UK date input: three boxes sharing one name. Due dates are ahead, others (consent) behind.
        return ("1", "6", "2099" if "due" in lowered or "clos" in lowered else "2020")[position % 3]
    if "time" in lowered:
        return "10:00"
    if "password" in lowered:
        return "a-long-enough-password-2026"
    return "Fuzz words"


def baseline(form: Form) -> MultiDict:
    """The form as a person would send it: what the page filled in, the first choice where nothing was
    chosen, and a sensible value in empty boxes."""
    values = MultiDict()
    seen: dict[str, int] = {}
    radios_done = set()
    for name, kind, value, checked in form.fields:
        position = seen.get(name, 0)
        seen[name] = position + 1
        if kind in ("submit", "button"):
            if name not in values:
                values.add(name, value)
        elif kind == "checkbox":
            ticked = [v for n, k, v, c in form.fields if n == name and k == "checkbox" and c]
            if checked or (not ticked and value == form.options[name][0]):
                values.add(name, value or "on")  # what is ticked, or the first box (a consent, say)
        elif kind == "honeypot":
            values.add(name, "")
        elif kind == "radio":
            if name in radios_done:
                continue
            chosen = [v for n, k, v, c in form.fields if n == name and k == "radio" and c]
            values.add(name, chosen[0] if chosen else form.options[name][0])
            radios_done.add(name)
        elif kind in ("hidden", "select", "textarea"):
            values.add(name, value)
        else:
            values.add(name, value or _filler(name, kind, position))
    return values


def _with(values: MultiDict, name: str, new) -> MultiDict:
    changed = values.copy()
    changed.setlist(name, new if isinstance(new, list) else [new])
    return changed


def _kinds(form: Form) -> dict[str, str]:
    return {name: kind for name, kind, *_ in form.fields}


def variants(form: Form, round_number: int = 0, thorough: bool = True):
    """(what was sent, the values) for every post of one form: as a person would fill it in, then hostile.

    Each field gets one of its single bad values per round, a different one each round, so two rounds try
    most of them at half the posts. Not `thorough` (the SQLite pass): every field at once only, with the
    values SQLite itself refuses or that reach Python's own conversions, as PostgreSQL's pass tries them all
    and refuses more."""
    base = baseline(form)
    names, kinds = form.names, _kinds(form)
    yield "as a person would", base
    for value in HOSTILE if thorough else SQLITE_HOSTILE:
        every = base.copy()
        for name in names:
            every.setlist(name, [value] * max(1, len(base.getlist(name))))
        yield f"every field {value[:12]!r}", every
    lists = base.copy()
    for name in names:
        lists.setlist(name, [*base.getlist(name), *HOSTILE])
    yield "every field given every value", lists
    yield "nothing but the token", MultiDict()
    if not thorough:
        return
    # A form with dozens of fields (a baseline's mapping has one per census category) gets a share of them
    # one at a time each round; every field still gets every hostile value at once above.
    step = -(-len(names) // MOST_SINGLE_FIELDS)
    for position, name in enumerate(names):
        if position % step != round_number % step:
            continue
        chosen = kinds[name] in ("select", "radio", "checkbox", "hidden", "submit", "button")
        singles = SINGLE_CHOICE if chosen else SINGLE_TEXT
        value = singles[(position + round_number) % len(singles)]
        yield f"{name}={value[:12]!r}", _with(base, name, [value] * max(1, len(base.getlist(name))))


class _Client(FlaskClient):
    """A fresh app context per request, as in production and in tests.pagecheck (otherwise `g`, and the
    CSRF token kept in it, would leak from one request into the next), without checking each page."""

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)  # a download is read in its request's context, as it is sent
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        return response


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href") if tag == "a" else None
        if href:
            self.links.append(href)


class Fuzzer:
    def __init__(self, app, user=None, avoid=()):
        self.app, self.user, self.avoid = app, user, set(avoid)
        self.client = _Client(app, app.response_class, use_cookies=True)
        self.failures: list[str] = []
        self.token = ""
        self.forms: dict[tuple, Form] = {}
        self.sign_in()

    def sign_in(self) -> None:
        response = self.client.get("/staff/sign-in")
        if response.status_code == 302:  # still signed in
            response = self.client.get("/staff/")
        self.token = re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True)).group(1)
        if self.user is not None and urlsplit(response.request.path).path == "/staff/sign-in":
            response = self.client.post(
                "/staff/sign-in",
                data={"email": self.user.email, "password": PASSWORD, "csrf_token": self.token},
            )
            assert response.status_code == 302, "the fuzzer could not sign in"
            page = self.client.get("/staff/").get_data(as_text=True)
            self.token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def _follows(self, path: str, public: bool) -> bool:
        if path in self.avoid or path.endswith((".csv", ".xlsx", ".json")) or "/static/" in path:
            return False
        return path.startswith("/staff") != public or path == "/staff/sign-in"

    def crawl(self, seeds: list[str], public: bool, limit: int = 600) -> list[Form]:
        """Every page reachable by links from `seeds` (paths only: list filters are the GET fuzz test's
        business), and the POST forms on them not seen before."""
        new, queue, seen = [], list(seeds), set(seeds)
        while queue and len(seen) <= limit:
            url = queue.pop(0)
            try:
                response = self.client.get(url)
            except Exception as error:  # the GET fuzz test reports these too
                self.failures.append(f"GET {url}: {type(error).__name__}: {str(error)[:80]}")
                continue
            if response.mimetype != "text/html" or response.status_code != 200:
                continue
            html = response.get_data(as_text=True)
            forms = _FormReader(url)
            forms.feed(html)
            for form in forms.forms:
                key = (_endpoint(self.app, form.action), tuple(sorted(form.names)))
                if key not in self.forms:
                    self.forms[key] = form
                    new.append(form)
            links = _Links()
            links.feed(html)
            for href in links.links:
                parts = urlsplit(href)
                if parts.netloc or not parts.path.startswith("/"):
                    continue
                if parts.path not in seen and self._follows(parts.path, public):
                    seen.add(parts.path)
                    queue.append(parts.path)
        return new

    def post(self, form: Form, label: str, values: MultiDict) -> None:
        data = values.copy()
        data.setlist("csrf_token", [self.token])
        try:
            response = self.client.post(form.action, data=data)
        except Exception as error:
            self.failures.append(f"{form.action} {label}: {type(error).__name__}: {str(error)[:120]}")
            return
        if response.status_code >= 500:
            self.failures.append(f"{form.action} {label}: {response.status_code}")
        elif response.status_code == 200 and response.mimetype == "text/html":
            # A hostile post shown again must say what is wrong (a sensible one may well show its page).
            checked = label not in ("nothing but the token", "as a person would")
            if checked and "govuk-error-summary" not in response.get_data(as_text=True):
                self.failures.append(f"{form.action} {label}: 200 without an error summary")
        elif self.user is not None and urlsplit(response.location or "").path == "/staff/sign-in":
            self.sign_in()  # the post signed us out (a role change, say): carry on signed in


def _endpoint(app, url: str) -> str:
    adapter = app.url_map.bind("localhost")
    try:
        return adapter.match(urlsplit(url).path, method="POST")[0]
    except Exception:
        return f"?{url}"


def _seeds(app, public: bool, ids: dict) -> list[str]:
    """Every GET page whose path parameters the fixture's records fill in."""
    seeds = []
    for rule in _get_rules(app, public):
        choices = {name for name, converter in rule._converters.items() if hasattr(converter, "items")}
        if rule.arguments - set(ids) - {"slug"} - choices:
            continue
        seeds.append(rule.build(_values(rule, ids))[1])
    return seeds


def _post_endpoints(app, public: bool) -> set[str]:
    # The API takes JSON, not forms: schemathesis sends it hostile values (tests/api/test_schemathesis.py).
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "POST" in rule.methods
        and not rule.rule.startswith("/api/")
        and (rule.rule.startswith("/staff") and rule.endpoint != "auth.sign_in_page") != public
    }


@pytest.fixture
def generous_limits(app, monkeypatch):
    """Rate limits would answer most of this test with 429, which proves nothing about the forms."""
    for name in (
        "SIGN_IN_RATE_LIMIT",
        "REGISTRATION_RATE_LIMIT",
        "RESPONSE_RATE_LIMIT_PER_CONSULTATION",
        "RESPONSE_RATE_LIMIT_PER_ADDRESS",
    ):
        monkeypatch.setitem(app.config, name, "100000 per minute")
    monkeypatch.setitem(app.config, "SIGN_IN_MAX_FAILURES", 100000)


@pytest.fixture
def more_states(records):  # noqa: F811
    """Records in the states whose forms the first ones lack: a draft consultation (its questions can be
    edited), a closed one, an unverified and an archived group, an archived event, a deactivated account,
    a retired theme, an EIA in review and an approved one with an action."""
    from datetime import date, timedelta

    from sqlalchemy import select

    from crm.core.models import Theme
    from crm.eias.models import EIAAction
    from crm.engagement.models import Programme

    make_consultation(state="draft")
    make_consultation(state="closed")  # an outcome can be written, then published
    make_group().is_verified = False
    make_group().is_archived = True
    make_event(is_archived=True)
    db.session.add(Programme(name="Street Voices"))  # an empty programme: its pages and edit form too
    make_user(role="viewer", active=False)
    db.session.scalars(select(Theme).order_by(Theme.id)).first().is_retired = True
    lead = make_user(role="equality_lead")
    in_review = start_eia(lead, make_policy())
    in_review.status = "in_review"
    approved = start_eia(lead, make_policy())
    approved.status = "approved"
    db.session.add(
        EIAAction(
            eia=approved,
            description="Large print",
            owner="Kim",
            due_date=date.today() + timedelta(days=30),
            status=next(iter(ACTION_STATUSES)),
            monitoring="Quarterly",
        )
    )
    # A data request for a response with an email, so its page shows every action; and the public pages
    # that need a token: a request's confirmation link and a contact's stop-emails link.
    from datetime import timedelta

    from crm.groups.messages import consent_token
    from crm.privacy import service as privacy
    from tests.consultation_factories import respond
    from tests.factories import make_contact

    response = respond(make_consultation(), name="Fuzz Person", email="fuzz.person@example.org")
    respond(make_consultation(), respondent_kind="group", group_name="Fuzz Group Not On The Register")
    tokens = []
    privacy.file_request(
        "withdraw",
        "Fuzz Person",
        "fuzz.person@example.org",
        response.reference,
        "",
        confirm_url=lambda token: tokens.append(token) or token,
        lifetime=timedelta(hours=1),
    )
    contact = make_contact(make_group(), email="fuzz.contact@example.org")
    # An imported baseline, so its list shows a table as well as the upload form.
    from crm.core import audit
    from crm.reports.service import import_baseline
    from tests.baseline_files import WALSALL, ons_file, sex_counts

    import_baseline(audit.SYSTEM, "census2021-ts008-ltla.csv", ons_file("TS008", {WALSALL: sex_counts()}))
    # Someone's API token, so the admin's list of tokens shows its revoke button.
    from crm.auth.tokens import create_token, default_expiry

    create_token(make_user(role="policy_lead"), "Fuzz token", "read", default_expiry())
    db.session.commit()
    records = dict(records)
    records["public_pages"] = [
        f"/contact/confirm?token={tokens[0]}",
        f"/contact/stop-emails?token={consent_token(contact)}",
    ]
    return records


# Routes the fuzzer signs out with: tried after every other form.
LAST = {SIGN_OUT}
# Posts that take records out of use (a retired area is no longer a valid choice): tried after the rest.
ENDINGS = (
    "retire",
    "delete",
    "deactivate",
    "archive",
    "merge",
    "status",
    "review",
    "publish",
    "submit",
    "transition",
)


def _order(app, form: Form) -> tuple:
    endpoint = _endpoint(app, form.action)
    return (endpoint in LAST, endpoint.rsplit(".", 1)[-1].startswith(ENDINGS))


def _fuzz(app, ids, user, public: bool, seeds_extra=(), shard: int = 0, shards: int = 1) -> list[str]:
    """Every form's posts, hostile ones only for the forms of this shard (split by endpoint, so the staff
    forms run as tests side by side); the sensible post goes to every form, so each shard sees all the
    records (and so the forms) the others' sensible posts make."""
    fuzzer = Fuzzer(app, user, avoid={f"/staff/admin/users/{user.id}"} if user else ())
    thorough = db.engine.dialect.name == "postgresql"
    seeds = [*_seeds(app, public, ids), *seeds_extra]
    # Twice: what the first round's sensible posts made (an outcome to publish, say) shows more forms.
    for round_number in (0, 1):
        forms = sorted(fuzzer.crawl(seeds, public), key=lambda form: _order(app, form))
        for form in forms:
            mine = zlib.crc32(_endpoint(app, form.action).encode()) % shards == shard
            for label, values in variants(form, round_number, thorough):
                if not mine and label != "as a person would":
                    continue
                fuzzer.post(form, label, values)
                if _endpoint(app, form.action) in LAST:
                    fuzzer.sign_in()
    reached = {endpoint for endpoint, _names in fuzzer.forms}
    missing = _post_endpoints(app, public) - reached
    if missing:
        fuzzer.failures.append(f"no form found for {sorted(missing)}: give the fixture records that show it")
    return fuzzer.failures


def _recommendations_owned_by(user) -> None:
    """Only a recommendation's owner sees the forms for its response, publishing and progress: one awaiting
    an answer and one accepted, owned by the account the fuzzer signs in with."""
    from datetime import date

    from crm.bodies import service
    from crm.bodies.models import StandingBody

    body = db.session.scalars(select(StandingBody)).first()
    service.create_recommendation(
        user, title="To answer", body_id=body.id, made_on=date(2026, 3, 1), owner_id=user.id
    )
    accepted = service.create_recommendation(
        user, title="To carry out", body_id=body.id, made_on=date(2026, 3, 1), owner_id=user.id
    )
    service.record_response(user, accepted, "accepted", "", date(2026, 3, 2))
    db.session.commit()


def _upload_an_import(app, user) -> str:
    """The preview of an uploaded groups file, for the import's confirm form."""
    fuzzer = Fuzzer(app, user)
    response = fuzzer.client.post(
        "/staff/groups/import",
        data={"csrf_token": fuzzer.token, "file": (io.BytesIO(b"name,kind\nFuzz Group,vcse\n"), "fuzz.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, "the upload failed"
    return urlsplit(response.location).path


def _a_refused_message() -> None:
    """A message the SMTP server refused, so the outbox page shows its button to try again."""
    from crm.core import email
    from crm.core.transaction import unit_of_work
    from tests.mail_server import REFUSED

    with unit_of_work():
        email.send(REFUSED, "Refused", "Body")


@pytest.mark.parametrize("shard", [0, 1, 2])
def test_no_staff_form_answers_500_to_hostile_values(app, more_states, generous_limits, mailbox, shard):
    admin = make_user(role="admin")
    _recommendations_owned_by(admin)
    _a_refused_message()
    preview = _upload_an_import(app, admin)
    # A page reached only with a query string, which the crawler drops from links.
    invite = f"/staff/invitations/new?consultation={more_states['consultation_id']}"
    failures = _fuzz(
        app, more_states, admin, public=False, seeds_extra=[preview, invite], shard=shard, shards=3
    )
    assert not failures, "\n".join(failures)


def test_no_public_form_answers_500_to_hostile_values(app, more_states, generous_limits):
    failures = _fuzz(app, more_states, None, public=True, seeds_extra=more_states["public_pages"])
    assert not failures, "\n".join(failures)
