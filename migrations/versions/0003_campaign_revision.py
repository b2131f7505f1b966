"""campaigns.revision: counts the edits of a campaign

An apply reads the customer's standing in the statement that locks the
campaign; comparing the revision it saw with the one it locked tells it
whether an edit committed in between (see discounts/apply.py). Adding a
column with a constant default rewrites no rows.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0003'
down_revision: Union[str, None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column('campaigns', sa.Column('revision', sa.BigInteger(), server_default=sa.text('0'), nullable=False))


def downgrade() -> None:
    op.drop_column('campaigns', 'revision')
