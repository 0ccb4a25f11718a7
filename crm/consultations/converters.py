from werkzeug.routing import BaseConverter


class SlugConverter(BaseConverter):
    """A consultation's public web address: lower-case words joined by single hyphens."""

    regex = r"[a-z0-9]+(?:-[a-z0-9]+)*"
