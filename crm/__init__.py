"""Community Voice: a community engagement and co-production CRM for UK public bodies."""

from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from config import config_for
from crm.core.args import BoundedIntConverter, CrmRequest, TokenConverter
from crm.extensions import csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(config_name: str | None = None, **overrides) -> Flask:
    app = Flask(__name__, static_folder=str(ROOT / "static"), instance_path=str(ROOT / "instance"))
    # Every query argument and form field without NUL bytes; every `<int:...>` within the database's ids.
    app.request_class = CrmRequest
    app.url_map.converters["int"] = BoundedIntConverter
    app.url_map.converters["token"] = TokenConverter
    app.config.from_object(config_for(config_name))
    app.config["TEMPLATES_DIR"] = str(ROOT / "templates")
    app.config.update(overrides)
    from crm.core.suppression import check_settings

    check_settings(app.config)  # a threshold of 0 or 1000 stops the app with a clear message
    Path(app.instance_path).mkdir(exist_ok=True)
    if app.config["TRUSTED_PROXIES"]:
        # The client's address from X-Forwarded-For, as many hops from the right as there are proxies we run:
        # anything further left was written by the client. Without trusted proxies the header is ignored.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["TRUSTED_PROXIES"])
    from crm.logs import init_logging

    init_logging(app)  # first: its request hooks must run before the extensions' own
    _init_extensions(app)
    from crm.core import transaction

    transaction.init_app(app)
    from crm.templating import init_templating

    init_templating(app)
    from crm.security import init_security

    init_security(app)
    _register_blueprints(app)
    from crm.api import init_api

    init_api(app)
    from crm.errors import init_errors

    init_errors(app)
    from crm.cli import crm_cli

    app.cli.add_command(crm_cli)
    return app


def _init_extensions(app: Flask) -> None:
    import crm.models  # noqa: F401  (every table registered before migrations look)
    from crm import ratelimit  # registers the locked-memory:// storage with limits

    db.init_app(app)
    from crm.core.models import include_in_migrations, render_migration_type

    migrate.init_app(
        app,
        db,
        directory=str(ROOT / "migrations"),
        render_as_batch=True,
        compare_type=True,
        render_item=render_migration_type,
        include_name=include_in_migrations,
    )
    csrf.init_app(app)
    # Counters shared in Redis; otherwise in this process's memory, in a storage that is safe under threads.
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or f"{ratelimit.SCHEME}://")
    limiter.init_app(app)

    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in_page"
    login_manager.login_message = "Sign in to see this page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    from crm.auth.models import StaffUser

    @login_manager.user_loader
    def load_user(user_id: str):
        from crm.security import session_is_current

        user = db.session.get(StaffUser, int(user_id))
        # Deactivation ends open sessions, and so does anything that raised the user's session generation
        # since this session signed in (sign-out anywhere, a role or password change).
        return user if user is not None and user.is_active and session_is_current(user) else None


@event.listens_for(Engine, "connect")
def _set_up_connection(dbapi_connection, connection_record):
    module = type(dbapi_connection).__module__
    if module.startswith("sqlite3"):
        # SQLite ignores foreign keys unless asked; PostgreSQL always enforces them. Behave the same on both.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
    elif module.startswith("psycopg"):
        # PostgreSQL's default random_page_cost (4) prices an index lookup for a disk that seeks. On SSD or
        # memory, as production runs, it makes the planner read a million feedback rows rather than look up
        # the 10,000 linked to a policy. 1.1 is the usual setting for SSD. JIT compilation is off: it
        # costs a page hundreds of milliseconds to save a few on queries that read a policy's items.
        # Set outside a transaction, so they last as long as the connection.
        dbapi_connection.autocommit = True
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET random_page_cost = 1.1")
            cursor.execute("SET jit = off")
        dbapi_connection.autocommit = False


def _register_blueprints(app: Flask) -> None:
    from crm.auth.email_views import bp as outbox_bp
    from crm.auth.job_views import bp as jobs_bp
    from crm.auth.reference_views import bp as reference_bp
    from crm.auth.token_views import bp as tokens_bp
    from crm.auth.views import bp as auth_bp
    from crm.bodies.views import bp as bodies_bp
    from crm.consultations.converters import SlugConverter
    from crm.consultations.public_views import bp as public_consultations_bp
    from crm.consultations.views import bp as consultations_bp
    from crm.eias.views import bp as eias_bp
    from crm.engagement.invitation_views import bp as invitations_bp
    from crm.engagement.views import bp as engagement_bp
    from crm.evidence.outreach_views import bp as outreach_bp
    from crm.evidence.views import bp as evidence_bp
    from crm.feedback.views import bp as feedback_bp
    from crm.feedback.views import event_feedback_bp
    from crm.groups.views import bp as groups_bp
    from crm.outcomes.views import bp as outcomes_bp
    from crm.pages import bp as pages_bp
    from crm.pickers import bp as pickers_bp
    from crm.policies.views import bp as policies_bp
    from crm.privacy.views import bp as privacy_bp
    from crm.reports.baselines_views import bp as baselines_bp
    from crm.reports.objective_views import bp as objectives_bp
    from crm.reports.portfolio_views import bp as portfolio_bp
    from crm.reports.programme_views import bp as programmes_bp
    from crm.reports.views import bp as reports_bp

    app.url_map.converters["slug"] = SlugConverter
    blueprints = (
        pages_bp,
        reference_bp,
        auth_bp,
        tokens_bp,
        outbox_bp,
        jobs_bp,
        reports_bp,
        portfolio_bp,
        objectives_bp,
        programmes_bp,
        baselines_bp,
        groups_bp,
        policies_bp,
        consultations_bp,
        public_consultations_bp,
        engagement_bp,
        invitations_bp,
        feedback_bp,
        event_feedback_bp,
        evidence_bp,
        outreach_bp,
        eias_bp,
        bodies_bp,
        outcomes_bp,
        pickers_bp,
        privacy_bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
