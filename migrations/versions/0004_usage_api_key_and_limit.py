"""discount_usages.api_key_id and daily_limit_at_apply

Idempotency keys are scoped to the API key that sent them: the usage records
its key, and the unique key moves from (idempotency_key) to (api_key_id,
idempotency_key). Usages from before have no key (NULL) and are replayed to
no one. Each usage also records the daily limit it was applied under, so that
`campaign-service check` does not count a limit lowered since as broken; old
usages get their campaign's current limit, the best that is known of them.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0004'
down_revision: Union[str, None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column('discount_usages', sa.Column('api_key_id', sa.BigInteger(), nullable=True))
    op.add_column('discount_usages', sa.Column('daily_limit_at_apply', sa.Integer(), nullable=True))
    op.create_foreign_key('discount_usages_api_key_id_fkey', 'discount_usages', 'api_keys',
                          ['api_key_id'], ['id'], ondelete='RESTRICT')
    op.execute(
        "UPDATE discount_usages u SET daily_limit_at_apply = c.max_usage_per_customer_per_day "
        "FROM campaigns c WHERE c.id = u.campaign_id"
    )
    op.drop_constraint('uq_discount_usages_idempotency_key', 'discount_usages', type_='unique')
    op.create_unique_constraint('uq_discount_usages_api_key_idempotency_key', 'discount_usages',
                                ['api_key_id', 'idempotency_key'])


def downgrade() -> None:
    # Two API keys may hold the same idempotency key by now; the service-wide
    # unique key keeps it on the first usage only.
    op.execute(
        "UPDATE discount_usages u SET idempotency_key = NULL WHERE EXISTS (SELECT 1 FROM discount_usages e "
        "WHERE e.idempotency_key = u.idempotency_key AND e.id < u.id)"
    )
    op.drop_constraint('uq_discount_usages_api_key_idempotency_key', 'discount_usages', type_='unique')
    op.create_unique_constraint('uq_discount_usages_idempotency_key', 'discount_usages', ['idempotency_key'])
    op.drop_constraint('discount_usages_api_key_id_fkey', 'discount_usages', type_='foreignkey')
    op.drop_column('discount_usages', 'daily_limit_at_apply')
    op.drop_column('discount_usages', 'api_key_id')
