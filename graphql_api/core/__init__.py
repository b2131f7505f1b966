"""Business rules in plain Python.

Nothing in this package imports Strawberry, Starlette or SQLAlchemy: the rules
for money, discount calculation, eligibility, campaign status and input
validation live here once and are unit-tested on their own.
"""
