"""Hot-campaign mode: budget slots

A campaign with budget_slots above 1 lends its budget to that many slot
rows (graphql_api/core/slots.py), and applies spend from one slot each
instead of queueing on the campaign's row. Its live notifications name
only the campaign: the listener reads the true budget (the pool's less
what the slots hold) after it has them, as no trigger can see the other
slots' uncommitted spending.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0010'
down_revision: Union[str, None] = '0009'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

MONEY = sa.Numeric(12, 2)

_ROW_PAYLOAD = "(to_jsonb(NEW) - 'description')::text"
_REREAD_PAYLOAD = "json_build_object('id', {id}, 'reread', true)::text"


def upgrade() -> None:
    op.add_column('campaigns', sa.Column('budget_slots', sa.Integer(), server_default=sa.text('1'), nullable=False))
    op.create_check_constraint('ck_campaigns_budget_slots_range', 'campaigns', 'budget_slots BETWEEN 1 AND 64')
    op.create_table(
        'campaign_budget_slots',
        sa.Column('campaign_id', sa.BigInteger(), nullable=False),
        sa.Column('slot', sa.Integer(), nullable=False),
        sa.Column('budget', MONEY, nullable=False),
        sa.Column('uses', sa.Integer(), nullable=False),
        sa.Column('revision', sa.BigInteger(), nullable=False),
        sa.CheckConstraint('budget >= 0', name='ck_campaign_budget_slots_budget_non_negative'),
        sa.CheckConstraint('slot BETWEEN 0 AND 63', name='ck_campaign_budget_slots_slot_range'),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('campaign_id', 'slot'),
    )
    # A campaign in slot mode is announced by id; the listener reads it.
    op.execute(f"""
        CREATE OR REPLACE FUNCTION notify_campaign_budget() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.budget_slots > 1 OR OLD.budget_slots > 1 THEN
                PERFORM pg_notify('campaign_budget', {_REREAD_PAYLOAD.format(id='NEW.id')});
            ELSE
                PERFORM pg_notify('campaign_budget', {_ROW_PAYLOAD});
            END IF;
            RETURN NULL;
        END $$""")
    op.execute(f"""
        CREATE FUNCTION notify_campaign_slot() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('campaign_budget', {_REREAD_PAYLOAD.format(id='NEW.campaign_id')});
            RETURN NULL;
        END $$""")
    op.execute("""
        CREATE TRIGGER campaign_budget_slots_notify AFTER UPDATE ON campaign_budget_slots FOR EACH ROW
        WHEN (OLD.budget IS DISTINCT FROM NEW.budget)
        EXECUTE FUNCTION notify_campaign_slot()""")


def downgrade() -> None:
    # Back to one row per campaign: what the slots hold returns to the pool.
    op.execute("""
        UPDATE campaigns c SET used_budget = c.used_budget - s.budget, usage_count = c.usage_count - s.uses
        FROM (SELECT campaign_id, sum(budget) AS budget, sum(uses) AS uses FROM campaign_budget_slots
              GROUP BY campaign_id) s
        WHERE c.id = s.campaign_id""")
    op.execute("DROP TRIGGER campaign_budget_slots_notify ON campaign_budget_slots")
    op.execute("DROP FUNCTION notify_campaign_slot()")
    op.execute(f"""
        CREATE OR REPLACE FUNCTION notify_campaign_budget() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            -- Without the description (up to 2,000 characters), the row stays far below NOTIFY's 8,000 bytes.
            PERFORM pg_notify('campaign_budget', {_ROW_PAYLOAD});
            RETURN NULL;
        END $$""")
    op.drop_table('campaign_budget_slots')
    op.drop_constraint('ck_campaigns_budget_slots_range', 'campaigns')
    op.drop_column('campaigns', 'budget_slots')
