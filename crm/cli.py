"""flask --app wsgi crm ... commands. Each command is one unit of work: all it changes is saved, or none."""

import functools

import click
from flask import current_app
from flask.cli import AppGroup

from crm.auth import roles
from crm.auth.service import AccountError, create_user
from crm.core import audit
from crm.core.reference import seed_reference_data
from crm.core.transaction import unit_of_work

crm_cli = AppGroup("crm", help="Community Voice commands.")


def _one_unit_of_work(command):
    @functools.wraps(command)
    def run(*args, **kwargs):
        with unit_of_work():
            return command(*args, **kwargs)

    return run


@crm_cli.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(roles.ALL))
@click.password_option("--password", prompt="Password", confirmation_prompt="Repeat the password")
@_one_unit_of_work
def create_user_command(email, name, role, password):
    """Create a staff account. The password is asked for twice (or read from standard input)."""
    try:
        user = create_user(audit.SYSTEM, email, name, role, password)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Created {user.role_label.lower()} account for {user.email}")


@crm_cli.command("import-groups")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check the file and say what it would do; change nothing.")
@_one_unit_of_work
def import_groups_command(file, dry_run):
    """Import groups from an Excel workbook (.xlsx) or CSV file: every row is checked first; all rows are
    applied or none."""
    from crm.groups import transfer

    with open(file, "rb") as handle:
        content = handle.read()
    try:
        plan = transfer.plan_import(transfer.read_upload(file, content))
    except transfer.ImportFileError as error:
        raise click.ClickException(str(error)) from error
    for number, messages in plan.warnings.items():
        for message in messages:
            click.echo(f"Row {number}: warning: {message}")
    if plan.errors:
        for number, errors in plan.errors.items():
            for column, messages in errors.items():
                for message in messages:
                    click.echo(f"Row {number}, {column}: {message}", err=True)
        raise click.ClickException(f"{len(plan.errors)} rows have problems; nothing was imported")
    if dry_run:
        click.echo(
            f"Dry run: would add {plan.to_create} groups and update {plan.to_update}. Nothing was changed."
        )
        return
    counts = transfer.apply_import(audit.SYSTEM, plan)
    click.echo(
        f"Imported: {counts['created']} added, {counts['updated']} updated, "
        f"{counts['contacts_added']} contacts added"
    )


@crm_cli.command("import-baseline")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--illustrative", is_flag=True, help="Label the figures as illustrative, not published ones.")
@click.option("--skip-other-areas", is_flag=True, help="Leave out areas not in the region's register.")
@_one_unit_of_work
def import_baseline_command(file, illustrative, skip_other_areas):
    """Import a Census 2021 table (ONS bulk CSV or Nomis download) as population baselines: every figure is
    checked first; the table's counts for the file's areas are replaced, or nothing changes."""
    from pathlib import Path

    from crm.reports import service

    with open(file, "rb") as handle:
        content = handle.read()
    try:
        imported = service.import_baseline(
            audit.SYSTEM,
            Path(file).name,
            content,
            illustrative=illustrative,
            skip_other_areas=skip_other_areas,
        )
    except service.BaselineRejected as error:
        for problem in error.problems:
            where = f"Row {problem.row}, {problem.column}: " if problem.row else ""
            click.echo(f"{where}{problem.message}", err=True)
        raise click.ClickException(str(error)) from error
    record = imported.record
    skipped = (
        f"; left out {imported.skipped_areas:,} areas outside the region" if imported.skipped_areas else ""
    )
    click.echo(f"Imported {record.table.code} ({record.table.title}) from {Path(file).name}{skipped}")


@crm_cli.command("export-groups")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
@click.option("--without-contacts", is_flag=True, help="Leave contacts' personal details out.")
@_one_unit_of_work
def export_groups_command(file, without_contacts):
    """Export every current group to a CSV file in the import format."""
    from crm.core import spreadsheets
    from crm.groups import queries, transfer

    filters, with_contacts = queries.GroupFilters(), not without_contacts
    spreadsheets.write_csv(file, transfer.export_rows(filters, with_contacts))
    audit.record(
        audit.SYSTEM,
        "groups.exported",
        None,
        ["contacts"] if with_contacts else [],
        entity_type="community_group",
    )
    click.echo(f"Exported {queries.group_count(filters)} groups to {file}")


@crm_cli.command("worker")
@click.option("--burst", is_flag=True, help="Run the jobs waiting now, then stop.")
def worker_command(burst):
    """Run background jobs (big imports and exports) from the queue in REDIS_URL, until stopped.

    Each job is its own unit of work. Ctrl+C (or SIGTERM) lets the job under way finish first."""
    from crm.core.jobs import Worker, queue_url

    app = current_app._get_current_object()
    if not queue_url(app):
        raise click.ClickException("Set REDIS_URL to the Redis that holds the job queue")
    Worker(app).work(burst=burst, logging_level=app.config["LOG_LEVEL"])


@crm_cli.command("send-email")
@_one_unit_of_work
def send_email_command():
    """Send what is waiting in the outbox (messages whose sending failed, or queued while SMTP was down).
    Run it every few minutes from cron when SMTP_HOST is set."""
    from crm.core import email

    if not current_app.config.get("SMTP_HOST"):
        raise click.ClickException(
            "Set SMTP_HOST (and SMTP_PORT, SMTP_USERNAME, SMTP_PASSWORD) to send email"
        )
    click.echo(f"Sent {email.deliver(limit=1000)} messages")


@crm_cli.command("seed-reference")
@_one_unit_of_work
def seed_reference_command():
    """Add any missing characteristics, areas, themes, barriers and census tables with their mapping."""
    added = _seed_reference()
    click.echo(f"Reference data: {added} entries added")


def _seed_reference() -> int:
    from crm.reports.service import seed_census_tables

    return seed_reference_data() + seed_census_tables()


@crm_cli.command("seed-demo")
@_one_unit_of_work
def seed_demo_command():
    """Load the demo data once; running it again changes nothing."""
    from crm.demo import DEMO_ACCOUNTS, seed_demo

    _seed_reference()
    created = seed_demo()
    click.echo("Demo data loaded." if created else "Demo data was already loaded.")
    click.echo("Demo sign-in accounts (local use only):")
    for email, _name, role, password in DEMO_ACCOUNTS:
        click.echo(f"  {roles.LABELS[role]:<20} {email:<36} {password}")
    if current_app.config.get("ENV_NAME") == "production":
        click.echo("Warning: demo accounts were created in production", err=True)


@crm_cli.command("retention")
@click.option("--apply", "apply_", is_flag=True, help="End what is due (without it, only list it).")
@click.option(
    "--dry-run", is_flag=True, help="List what is due, class by class, and change nothing (the default)."
)
@click.option("--batch", default=1000, show_default=True, type=click.IntRange(1, 100_000))
def retention_command(apply_, dry_run, batch):
    """Apply the retention periods of crm/core/retention.py. Each batch is its own unit of work and on
    record, so a run stopped half-way is finished by running it again. Run it daily from cron."""
    # Importing the areas registers their handlers.
    import crm.auth.retention
    import crm.consultations.retention
    import crm.groups.retention
    import crm.privacy.retention  # noqa: F401
    from crm.core import retention
    from crm.core.models import utc_now

    if apply_ and dry_run:
        raise click.UsageError("Choose --dry-run or --apply, not both")
    now = utc_now()
    for data_class in retention.DATA_CLASSES:
        handler = retention.handler(data_class.key)
        heading = f"{data_class.name} (kept {data_class.kept_for}, then {data_class.ending}d)"
        if handler is None:
            click.echo(f"{heading}: not automated yet")
            continue
        cutoff = data_class.cutoff(now)
        with unit_of_work():
            due = handler.due(cutoff)
        click.echo(f"{heading}: {due:,} due")
        if not apply_ or not due:
            continue
        done = 0
        while True:
            with unit_of_work():
                ended = handler.end(cutoff, batch)
                if ended:
                    audit.record(
                        audit.SYSTEM, "retention.applied", None, [data_class.key], entity_type="retention"
                    )
            if not ended:
                break
            done += ended
        click.echo(f"  {done:,} {data_class.ending}d")
