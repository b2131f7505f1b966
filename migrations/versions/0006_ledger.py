"""The ledger: reversals, customers' external ids and erasure, the audit log

Reversals and campaign events are append-only: a trigger refuses UPDATE and
DELETE on both tables, whoever connects. Existing usages keep
reversed_amount 0 (migration 0005), which no reversal contradicts.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision: str = '0006'
down_revision: Union[str, None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

MONEY = sa.Numeric(12, 2)
APPEND_ONLY = ('discount_reversals', 'campaign_events')


def upgrade() -> None:
    op.add_column('customers', sa.Column('external_id', sa.String(length=255), nullable=True))
    op.add_column('customers', sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))
    op.create_index('uq_customers_external_id', 'customers', ['external_id'], unique=True,
                    postgresql_where=sa.text('external_id IS NOT NULL'))

    op.create_table(
        'discount_reversals',
        sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column('usage_id', sa.BigInteger(), nullable=False),
        sa.Column('campaign_id', sa.BigInteger(), nullable=False),
        sa.Column('amount', MONEY, nullable=False),
        sa.Column('reason', sa.String(length=255), nullable=False),
        sa.Column('reversed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('api_key_id', sa.BigInteger(), nullable=False),
        sa.Column('idempotency_key', sa.String(length=255), nullable=True),
        sa.CheckConstraint('amount > 0', name='ck_reversals_amount_positive'),
        sa.CheckConstraint('char_length(reason) BETWEEN 1 AND 255', name='ck_reversals_reason_length'),
        sa.ForeignKeyConstraint(['usage_id'], ['discount_usages.id'], ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['api_key_id'], ['api_keys.id'], ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('api_key_id', 'idempotency_key', name='uq_discount_reversals_api_key_idempotency_key'),
    )
    op.create_index('ix_discount_reversals_usage_id', 'discount_reversals', ['usage_id', 'id'])
    op.create_index('ix_discount_reversals_campaign_id', 'discount_reversals', ['campaign_id'])

    op.create_table(
        'campaign_events',
        sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column('campaign_id', sa.BigInteger(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('actor', sa.String(length=255), nullable=True),
        sa.Column('changes', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"),
                  nullable=False),
        sa.Column('threshold', sa.SmallInteger(), nullable=True),
        sa.CheckConstraint("kind IN ('CREATED', 'UPDATED', 'PAUSED', 'RESUMED', 'DELETED', 'CODES_ADDED', "
                           "'BUDGET_THRESHOLD', 'EXHAUSTED')", name='ck_campaign_events_kind'),
        sa.CheckConstraint("(kind = 'BUDGET_THRESHOLD') = (threshold IS NOT NULL) AND "
                           "(threshold IS NULL OR threshold IN (50, 80, 95, 100))",
                           name='ck_campaign_events_threshold'),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_campaign_events_campaign_id', 'campaign_events', ['campaign_id', 'id'])

    op.execute("""
        CREATE FUNCTION refuse_change_of_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
                USING ERRCODE = 'restrict_violation';
        END $$""")
    for table in APPEND_ONLY:
        op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                   f"FOR EACH ROW EXECUTE FUNCTION refuse_change_of_append_only()")


def downgrade() -> None:
    for table in APPEND_ONLY:
        op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
    op.execute("DROP FUNCTION refuse_change_of_append_only()")
    op.drop_index('ix_campaign_events_campaign_id', table_name='campaign_events')
    op.drop_table('campaign_events')
    op.drop_index('ix_discount_reversals_campaign_id', table_name='discount_reversals')
    op.drop_index('ix_discount_reversals_usage_id', table_name='discount_reversals')
    op.drop_table('discount_reversals')
    op.drop_index('uq_customers_external_id', table_name='customers')
    op.drop_column('customers', 'erased_at')
    op.drop_column('customers', 'external_id')
