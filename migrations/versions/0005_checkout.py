"""The checkout: coupon codes, usage caps, orders and combinations

Campaigns gain requires_code, the two caps, exclusive, priority and a
usage_count kept by the applies (existing usages are counted in). Usages gain
their order, code, checkout, the per-customer cap and exclusivity they were
applied under, and reversed_amount (0 for every usage so far), which decides
whether a usage still counts toward the limits.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0005'
down_revision: Union[str, None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

MONEY = sa.Numeric(12, 2)


def upgrade() -> None:
    op.add_column('campaigns', sa.Column('requires_code', sa.Boolean(), server_default=sa.text('false'), nullable=False))
    op.add_column('campaigns', sa.Column('max_usage_per_customer', sa.Integer(), nullable=True))
    op.add_column('campaigns', sa.Column('max_total_usage', sa.Integer(), nullable=True))
    op.add_column('campaigns', sa.Column('usage_count', sa.Integer(), server_default=sa.text('0'), nullable=False))
    op.add_column('campaigns', sa.Column('exclusive', sa.Boolean(), server_default=sa.text('false'), nullable=False))
    op.add_column('campaigns', sa.Column('priority', sa.Integer(), server_default=sa.text('0'), nullable=False))
    op.create_check_constraint('ck_campaigns_customer_limit_positive', 'campaigns', 'max_usage_per_customer >= 1')
    op.create_check_constraint('ck_campaigns_total_limit_positive', 'campaigns', 'max_total_usage >= 1')
    op.create_check_constraint('ck_campaigns_usage_count_non_negative', 'campaigns', 'usage_count >= 0')
    op.execute("UPDATE campaigns c SET usage_count = (SELECT count(*) FROM discount_usages u WHERE u.campaign_id = c.id)")

    op.create_table(
        'coupon_codes',
        sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column('campaign_id', sa.BigInteger(), nullable=False),
        sa.Column('code', sa.String(length=64), nullable=False),
        sa.Column('uses_per_code', sa.Integer(), nullable=True),
        sa.Column('usage_count', sa.Integer(), server_default=sa.text('0'), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("code ~ '^[A-Z0-9_-]{4,64}$'", name='ck_coupon_codes_form'),
        sa.CheckConstraint('uses_per_code >= 1', name='ck_coupon_codes_uses_positive'),
        sa.CheckConstraint('usage_count >= 0 AND (uses_per_code IS NULL OR usage_count <= uses_per_code)',
                           name='ck_coupon_codes_usage_within_uses'),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('code'),
    )
    op.create_index('ix_coupon_codes_campaign_id', 'coupon_codes', ['campaign_id', 'id'])

    op.create_table(
        'checkouts',
        sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column('api_key_id', sa.BigInteger(), nullable=False),
        sa.Column('idempotency_key', sa.String(length=255), nullable=True),
        sa.Column('customer_id', sa.BigInteger(), nullable=False),
        sa.Column('order_reference', sa.String(length=255), nullable=False),
        sa.Column('cart_value', MONEY, nullable=False),
        sa.Column('delivery_charge', MONEY, nullable=False),
        sa.Column('coupon_codes', sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column('rejected_coupon_codes', sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['api_key_id'], ['api_keys.id'], ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('api_key_id', 'idempotency_key', name='uq_checkouts_api_key_idempotency_key'),
    )

    op.add_column('discount_usages', sa.Column('customer_limit_at_apply', sa.Integer(), nullable=True))
    op.add_column('discount_usages', sa.Column('order_reference', sa.String(length=255), nullable=True))
    op.add_column('discount_usages', sa.Column('exclusive', sa.Boolean(), server_default=sa.text('false'),
                                               nullable=False))
    op.add_column('discount_usages', sa.Column('coupon_code', sa.String(length=64), nullable=True))
    op.add_column('discount_usages', sa.Column('reversed_amount', MONEY, server_default=sa.text('0'), nullable=False))
    op.add_column('discount_usages', sa.Column('checkout_id', sa.BigInteger(), nullable=True))
    op.create_foreign_key('discount_usages_coupon_code_fkey', 'discount_usages', 'coupon_codes',
                          ['coupon_code'], ['code'], ondelete='RESTRICT')
    op.create_foreign_key('discount_usages_checkout_id_fkey', 'discount_usages', 'checkouts',
                          ['checkout_id'], ['id'], ondelete='RESTRICT')
    op.create_check_constraint('ck_usages_reversed_within_amount', 'discount_usages',
                               'reversed_amount >= 0 AND reversed_amount <= discount_amount')
    op.create_index('ix_usages_order_reference', 'discount_usages', ['order_reference'],
                    postgresql_where=sa.text('order_reference IS NOT NULL'))
    # The daily and lifetime counts count only usages that count: the index
    # is partial on that rule, so that they stay index-only scans.
    op.drop_index('ix_usages_campaign_customer_used_at', table_name='discount_usages')
    op.create_index('ix_usages_campaign_customer_used_at', 'discount_usages', ['campaign_id', 'customer_id', 'used_at'],
                    postgresql_where=sa.text('reversed_amount < discount_amount'))


def downgrade() -> None:
    op.drop_index('ix_usages_campaign_customer_used_at', table_name='discount_usages')
    op.create_index('ix_usages_campaign_customer_used_at', 'discount_usages', ['campaign_id', 'customer_id', 'used_at'])
    op.drop_index('ix_usages_order_reference', table_name='discount_usages')
    op.drop_constraint('ck_usages_reversed_within_amount', 'discount_usages', type_='check')
    op.drop_constraint('discount_usages_checkout_id_fkey', 'discount_usages', type_='foreignkey')
    op.drop_constraint('discount_usages_coupon_code_fkey', 'discount_usages', type_='foreignkey')
    for column in ('checkout_id', 'reversed_amount', 'coupon_code', 'exclusive', 'order_reference',
                   'customer_limit_at_apply'):
        op.drop_column('discount_usages', column)
    op.drop_table('checkouts')
    op.drop_index('ix_coupon_codes_campaign_id', table_name='coupon_codes')
    op.drop_table('coupon_codes')
    for name in ('ck_campaigns_usage_count_non_negative', 'ck_campaigns_total_limit_positive',
                 'ck_campaigns_customer_limit_positive'):
        op.drop_constraint(name, 'campaigns', type_='check')
    for column in ('priority', 'exclusive', 'usage_count', 'max_total_usage', 'max_usage_per_customer',
                   'requires_code'):
        op.drop_column('campaigns', column)
