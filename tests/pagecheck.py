"""A test client that checks every HTML page it fetches, so every page test is also a markup test."""

from collections import Counter
from xml.etree import ElementTree

import html5lib
from bs4 import BeautifulSoup
from flask.testing import FlaskClient


class PageProblem(AssertionError):
    pass


def _classes(element: ElementTree.Element) -> list[str]:
    return (element.get("class") or "").split()


def check_page(html: str, url: str) -> ElementTree.Element:
    """Check a page and return its tree (html5lib's ElementTree: quicker to build than Beautiful Soup's, and
    html5lib is most of the suite's time)."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    try:
        root = parser.parse(html)
    except html5lib.html5parser.ParseError as error:
        raise PageProblem(f"{url}: HTML does not parse: {error}") from error
    title_element = root.find(".//title")
    title = "".join(title_element.itertext()).strip() if title_element is not None else ""
    if not title:
        raise PageProblem(f"{url}: page has no <title>")
    has_errors = any("govuk-error-summary" in _classes(element) for element in root.iter())
    if has_errors != title.startswith("Error: "):
        raise PageProblem(f"{url}: title {title!r} and error summary disagree")
    ids = Counter(element.get("id") for element in root.iter() if element.get("id") is not None)
    duplicates = [id_ for id_, count in ids.items() if count > 1]
    if duplicates:
        raise PageProblem(f"{url}: duplicate ids {duplicates}")
    for form in root.iter("form"):
        if (form.get("method") or "get").lower() == "post" and _csrf_input(form) is None:
            raise PageProblem(f"{url}: a POST form has no CSRF token")
    if len(list(root.iter("h1"))) != 1:
        raise PageProblem(f"{url}: a page needs exactly one <h1>")
    for script in root.iter("script"):
        if not script.get("nonce"):
            raise PageProblem(f"{url}: a <script> has no CSP nonce")
    return root


def _csrf_input(element: ElementTree.Element) -> ElementTree.Element | None:
    return next((tag for tag in element.iter("input") if tag.get("name") == "csrf_token"), None)


class PageCheckingClient(FlaskClient):
    def open(self, *args, **kwargs):
        # A fresh app context per request, as in production: otherwise the test's own context (and its
        # `g`, database session and signed-in user) would leak from one request into the next. A streamed
        # body (spreadsheet downloads) is read inside that context too, as a server sends it before the
        # request's context ends; pass buffered=False to read it later.
        kwargs.setdefault("buffered", True)
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        if response.mimetype == "text/html" and not 300 <= response.status_code < 400:
            # Kept, so that csrf_token() need not parse the same HTML again.
            response.page_tree = check_page(response.get_data(as_text=True), response.request.path)
        return response

    def page(self, url: str, **kwargs) -> BeautifulSoup:
        """GET a page that must answer 200, parsed."""
        response = self.get(url, **kwargs)
        assert response.status_code == 200, f"{url} answered {response.status_code}"
        return BeautifulSoup(response.get_data(as_text=True), "html5lib")

    def csrf_token(self, url: str = "/staff/sign-in") -> str:
        """A CSRF token for this client's session, read from a page's form as a browser would."""
        response = self.get(url)
        assert response.status_code == 200, f"{url} answered {response.status_code}"
        return _csrf_input(response.page_tree).get("value")

    def submit(self, url: str, data: dict | None = None, form_page: str | None = None, **kwargs):
        """POST a form the way a browser does: with the token from the page the form is on."""
        payload = dict(data or {})
        payload.setdefault("csrf_token", self.csrf_token(form_page or url))
        return self.post(url, data=payload, **kwargs)
