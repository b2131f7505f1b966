"""An index for Campaign.stats: a campaign's counting usages by time

The last hour and the business days of a campaign are range scans of it,
index-only (the amounts are included).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0007'
down_revision: Union[str, None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index('ix_usages_campaign_used_at', 'discount_usages', ['campaign_id', 'used_at'],
                    postgresql_include=['discount_amount', 'reversed_amount'],
                    postgresql_where=sa.text('reversed_amount < discount_amount'))


def downgrade() -> None:
    op.drop_index('ix_usages_campaign_used_at', table_name='discount_usages')
