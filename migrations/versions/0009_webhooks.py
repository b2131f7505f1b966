"""Webhooks: endpoints, and an outbox of deliveries written with the change

A trigger adds a delivery for every webhook that asked for the kind of each
new campaign_events row, in the transaction that wrote the row: a committed
change always has its deliveries, a rolled-back one none. The rows are also
the delivery log (attempts, last status, when delivered).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision: str = '0009'
down_revision: Union[str, None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'webhooks',
        sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column('url', sa.String(length=2048), nullable=False),
        sa.Column('events', postgresql.ARRAY(sa.String(length=16)), nullable=False),
        sa.Column('secret', sa.String(length=128), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_table(
        'webhook_deliveries',
        sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column('webhook_id', sa.BigInteger(), nullable=False),
        sa.Column('event_id', sa.BigInteger(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('attempts', sa.Integer(), server_default=sa.text('0'), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_status', sa.Integer(), nullable=True),
        sa.Column('last_error', sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(['webhook_id'], ['webhooks.id'], ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['event_id'], ['campaign_events.id'], ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('webhook_id', 'event_id', name='uq_webhook_deliveries_webhook_event'),
    )
    op.create_index('ix_webhook_deliveries_due', 'webhook_deliveries', ['next_attempt_at'],
                    postgresql_where=sa.text('delivered_at IS NULL'))
    op.create_index('ix_webhook_deliveries_webhook_id', 'webhook_deliveries', ['webhook_id', 'id'])
    op.execute("""
        CREATE FUNCTION queue_webhook_deliveries() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO webhook_deliveries (webhook_id, event_id, created_at, next_attempt_at)
            SELECT w.id, NEW.id, now(), now() FROM webhooks w
            WHERE w.deleted_at IS NULL AND NEW.kind = ANY (w.events);
            RETURN NULL;
        END $$""")
    op.execute("""
        CREATE TRIGGER campaign_events_queue_webhooks AFTER INSERT ON campaign_events FOR EACH ROW
        EXECUTE FUNCTION queue_webhook_deliveries()""")


def downgrade() -> None:
    op.execute("DROP TRIGGER campaign_events_queue_webhooks ON campaign_events")
    op.execute("DROP FUNCTION queue_webhook_deliveries()")
    op.drop_index('ix_webhook_deliveries_webhook_id', table_name='webhook_deliveries')
    op.drop_index('ix_webhook_deliveries_due', table_name='webhook_deliveries')
    op.drop_table('webhook_deliveries')
    op.drop_table('webhooks')
