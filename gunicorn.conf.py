"""gunicorn's settings for production: `gunicorn -c gunicorn.conf.py --no-control-socket -w 4 -b 0.0.0.0:8000
wsgi:app` (gunicorn also reads this file by itself when started in this folder).

gunicorn writes its own `Server: gunicorn` header before the app's headers, and has no setting to change or
drop it (its maintainers declined one: https://github.com/benoitc/gunicorn/issues/825); a `Server` header set
by Flask would only be a second one. So the header is dropped here, where gunicorn builds it, as the master
loads this file before it forks its workers. `tests/web/test_gunicorn.py` serves the app with this file and
fails if a gunicorn upgrade changes how the header is made.
"""

from gunicorn.http import wsgi

_default_headers = wsgi.Response.default_headers


def _default_headers_without_server(self):
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


wsgi.Response.default_headers = _default_headers_without_server
