"""Live notifications: every committed change of a campaign's budget and
every audit entry is a PostgreSQL NOTIFY

Triggers send them, inside the transaction that made the change, so that
they are delivered only when it commits and in commit order, to the
listeners of every server process (graphql_api/live/). The payload is the
row as committed, as JSON.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""
from typing import Sequence, Union

from alembic import op


revision: str = '0008'
down_revision: Union[str, None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.execute("""
        CREATE FUNCTION notify_campaign_budget() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            -- Without the description (up to 2,000 characters), the row stays far below NOTIFY's 8,000 bytes.
            PERFORM pg_notify('campaign_budget', (to_jsonb(NEW) - 'description')::text);
            RETURN NULL;
        END $$""")
    op.execute("""
        CREATE TRIGGER campaigns_notify_budget AFTER UPDATE ON campaigns FOR EACH ROW
        WHEN (OLD.used_budget IS DISTINCT FROM NEW.used_budget OR OLD.total_budget IS DISTINCT FROM NEW.total_budget)
        EXECUTE FUNCTION notify_campaign_budget()""")
    op.execute("""
        CREATE FUNCTION notify_campaign_event() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('campaign_event', row_to_json(NEW)::text);
            RETURN NULL;
        END $$""")
    op.execute("""
        CREATE TRIGGER campaign_events_notify AFTER INSERT ON campaign_events FOR EACH ROW
        EXECUTE FUNCTION notify_campaign_event()""")


def downgrade() -> None:
    op.execute("DROP TRIGGER campaign_events_notify ON campaign_events")
    op.execute("DROP FUNCTION notify_campaign_event()")
    op.execute("DROP TRIGGER campaigns_notify_budget ON campaigns")
    op.execute("DROP FUNCTION notify_campaign_budget()")
