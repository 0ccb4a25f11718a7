"""A test client that checks every HTML page it fetches, so every page test is also a markup test."""

from collections import Counter

import html5lib
from bs4 import BeautifulSoup
from bs4.builder import HTML5TreeBuilder
from flask.testing import FlaskClient


class PageProblem(AssertionError):
    pass


class _StrictHTML5TreeBuilder(HTML5TreeBuilder):
    """Beautiful Soup's html5lib builder with html5lib in strict mode: the first parse error raises.

    Strict mode changes nothing about the tree of a page that parses, so one parse both validates a page and
    builds the soup the checks and the tests read (html5lib is most of the suite's time).
    """

    def feed(self, markup: str) -> None:
        parser = html5lib.HTMLParser(tree=self.create_treebuilder, strict=True)
        self.underlying_builder.parser = parser
        parser.parse(markup).original_encoding = None
        self.underlying_builder.parser = None


def check_page(html: str, url: str) -> BeautifulSoup:
    try:
        soup = BeautifulSoup(html, builder=_StrictHTML5TreeBuilder())
    except html5lib.html5parser.ParseError as error:
        raise PageProblem(f"{url}: HTML does not parse: {error}") from error
    title = soup.title.get_text(strip=True) if soup.title else ""
    if not title:
        raise PageProblem(f"{url}: page has no <title>")
    has_errors = soup.select_one(".govuk-error-summary") is not None
    if has_errors != title.startswith("Error: "):
        raise PageProblem(f"{url}: title {title!r} and error summary disagree")
    duplicates = [
        id_ for id_, count in Counter(tag["id"] for tag in soup.select("[id]")).items() if count > 1
    ]
    if duplicates:
        raise PageProblem(f"{url}: duplicate ids {duplicates}")
    for form in soup.find_all("form"):
        if form.get("method", "get").lower() == "post" and not form.select_one("input[name=csrf_token]"):
            raise PageProblem(f"{url}: a POST form has no CSRF token")
    if len(soup.find_all("h1")) != 1:
        raise PageProblem(f"{url}: a page needs exactly one <h1>")
    for script in soup.find_all("script"):
        if not script.get("nonce"):
            raise PageProblem(f"{url}: a <script> has no CSP nonce")
    return soup


class PageCheckingClient(FlaskClient):
    def open(self, *args, **kwargs):
        # A fresh app context per request, as in production: otherwise the test's own context (and its
        # `g`, database session and signed-in user) would leak from one request into the next.
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        if response.mimetype == "text/html" and not 300 <= response.status_code < 400:
            # Kept, so that page() need not parse the same HTML again.
            response.soup = check_page(response.get_data(as_text=True), response.request.path)
        return response

    def page(self, url: str, **kwargs) -> BeautifulSoup:
        """GET a page that must answer 200, parsed."""
        response = self.get(url, **kwargs)
        assert response.status_code == 200, f"{url} answered {response.status_code}"
        if hasattr(response, "soup"):
            return response.soup
        return BeautifulSoup(response.get_data(as_text=True), "html5lib")

    def csrf_token(self, url: str = "/staff/sign-in") -> str:
        """A CSRF token for this client's session, read from a page's form as a browser would."""
        soup = self.page(url)
        return soup.select_one("input[name=csrf_token]")["value"]

    def submit(self, url: str, data: dict | None = None, form_page: str | None = None, **kwargs):
        """POST a form the way a browser does: with the token from the page the form is on."""
        payload = dict(data or {})
        payload.setdefault("csrf_token", self.csrf_token(form_page or url))
        return self.post(url, data=payload, **kwargs)
