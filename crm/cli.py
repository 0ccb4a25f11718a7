"""flask --app wsgi crm ... commands."""

import click
from flask import current_app
from flask.cli import AppGroup

from crm.auth import roles
from crm.auth.service import AccountError, create_user
from crm.core import audit
from crm.core.reference import seed_reference_data

crm_cli = AppGroup("crm", help="Community Voice commands.")


@crm_cli.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(roles.ALL))
@click.password_option("--password", prompt="Password", confirmation_prompt="Repeat the password")
def create_user_command(email, name, role, password):
    """Create a staff account. The password is asked for twice (or read from standard input)."""
    try:
        user = create_user(audit.SYSTEM, email, name, role, password)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Created {user.role_label.lower()} account for {user.email}")


@crm_cli.command("seed-reference")
def seed_reference_command():
    """Add any missing characteristics, areas, themes and barriers."""
    added = seed_reference_data()
    click.echo(f"Reference data: {added} entries added")


@crm_cli.command("seed-demo")
def seed_demo_command():
    """Load the demo data once; running it again changes nothing."""
    from crm.demo import DEMO_ACCOUNTS, seed_demo

    seed_reference_data()
    created = seed_demo()
    click.echo("Demo data loaded." if created else "Demo data was already loaded.")
    click.echo("Demo sign-in accounts (local use only):")
    for email, _name, role, password in DEMO_ACCOUNTS:
        click.echo(f"  {roles.LABELS[role]:<20} {email:<36} {password}")
    if current_app.config.get("ENV_NAME") == "production":
        click.echo("Warning: demo accounts were created in production", err=True)
