"""customers, campaigns, targets and discount usages

Revision ID: 0001
Revises: 
Create Date: 2026-11-26
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0001'
down_revision: Union[str, None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('campaigns',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('discount_type', sa.String(length=8), nullable=False),
    sa.Column('discount_percentage', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('discount_flat', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('start_date', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end_date', sa.DateTime(timezone=True), nullable=False),
    sa.Column('total_budget', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('used_budget', sa.Numeric(precision=12, scale=2), server_default=sa.text('0'), nullable=False),
    sa.Column('max_usage_per_customer_per_day', sa.Integer(), nullable=False),
    sa.Column('min_cart_value', sa.Numeric(precision=12, scale=2), server_default=sa.text('0'), nullable=False),
    sa.Column('max_discount_amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('is_targeted', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('paused', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("discount_type IN ('CART', 'DELIVERY')", name='ck_campaigns_discount_type'),
    sa.CheckConstraint('(discount_percentage IS NULL) <> (discount_flat IS NULL)', name='ck_campaigns_one_discount_kind'),
    sa.CheckConstraint('discount_flat > 0', name='ck_campaigns_flat_positive'),
    sa.CheckConstraint('discount_percentage > 0 AND discount_percentage <= 100', name='ck_campaigns_percentage_range'),
    sa.CheckConstraint('max_discount_amount > 0', name='ck_campaigns_max_discount_positive'),
    sa.CheckConstraint('max_usage_per_customer_per_day >= 1', name='ck_campaigns_daily_limit_positive'),
    sa.CheckConstraint('min_cart_value >= 0', name='ck_campaigns_min_cart_non_negative'),
    sa.CheckConstraint('start_date < end_date', name='ck_campaigns_dates_ordered'),
    sa.CheckConstraint('total_budget > 0', name='ck_campaigns_total_budget_positive'),
    sa.CheckConstraint('used_budget >= 0 AND used_budget <= total_budget', name='ck_campaigns_budget_within_total'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_campaigns_live_window', 'campaigns', ['end_date', 'start_date'], unique=False, postgresql_where=sa.text('deleted_at IS NULL AND NOT paused'))
    op.create_table('customers',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('uq_customers_email_lower', 'customers', [sa.literal_column('lower(email)')], unique=True)
    op.create_table('campaign_targets',
    sa.Column('campaign_id', sa.BigInteger(), nullable=False),
    sa.Column('customer_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('campaign_id', 'customer_id')
    )
    op.create_index('ix_campaign_targets_customer', 'campaign_targets', ['customer_id'], unique=False)
    op.create_table('discount_usages',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('campaign_id', sa.BigInteger(), nullable=False),
    sa.Column('customer_id', sa.BigInteger(), nullable=False),
    sa.Column('discount_type', sa.String(length=8), nullable=False),
    sa.Column('cart_value', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('delivery_charge', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('original_amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('discount_amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('final_amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('idempotency_key', sa.String(length=255), nullable=True),
    sa.CheckConstraint("discount_type IN ('CART', 'DELIVERY')", name='ck_usages_discount_type'),
    sa.CheckConstraint('cart_value >= 0 AND delivery_charge >= 0', name='ck_usages_amounts_non_negative'),
    sa.CheckConstraint('discount_amount > 0 AND discount_amount <= original_amount', name='ck_usages_discount_within_original'),
    sa.CheckConstraint('final_amount = original_amount - discount_amount', name='ck_usages_final_amount'),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idempotency_key', name='uq_discount_usages_idempotency_key')
    )
    op.create_index('ix_usages_campaign_customer_used_at', 'discount_usages', ['campaign_id', 'customer_id', 'used_at'], unique=False)
    op.create_index('ix_usages_customer_id', 'discount_usages', ['customer_id', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_usages_customer_id', table_name='discount_usages')
    op.drop_index('ix_usages_campaign_customer_used_at', table_name='discount_usages')
    op.drop_table('discount_usages')
    op.drop_index('ix_campaign_targets_customer', table_name='campaign_targets')
    op.drop_table('campaign_targets')
    op.drop_index('uq_customers_email_lower', table_name='customers')
    op.drop_table('customers')
    op.drop_index('ix_campaigns_live_window', table_name='campaigns', postgresql_where=sa.text('deleted_at IS NULL AND NOT paused'))
    op.drop_table('campaigns')
