"""The checkout's hot statements run prepared on the server: PREPAREd once
per pooled connection, then EXECUTEd by name; with DB_PREPARED_STATEMENTS off
they run as plain text, with the same answers."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import event

from graphql_api.server.app import create_app

from ..support import GraphQLClient, apply, available, create_campaign, create_customer


@pytest.fixture
def statements_of():
    """Opens an app on `settings` and records every statement its database sends."""
    opened = []

    def open_app(settings, clock, client_for):
        database = settings.database()
        opened.append(database)
        sent: list[str] = []
        for engine in database.engines:
            event.listen(engine, "before_cursor_execute", lambda *args: sent.append(args[2]))
        return GraphQLClient(client_for(create_app(settings, database=database, clock=clock))), sent

    yield open_app
    for database in opened:
        database.dispose()


def checkout(gql, sent):
    """A read and an apply; the statements each sent, with PREPARE and EXECUTE separated."""
    customer = create_customer(gql)["id"]
    campaign = create_campaign(gql)["id"]
    per_request = []
    for request in (lambda: available(gql, customer), lambda: apply(gql, campaign, customer)):
        sent.clear()
        answer = request()
        per_request.append((answer, [s.split(" ", 1)[0] for s in sent]))
    return per_request


def test_prepared_once_per_connection_then_executed(settings, clock, client_for, statements_of):
    gql, sent = statements_of(replace(settings, db_pool_size=1), clock, client_for)
    (offers, read), (applied, write) = checkout(gql, sent)
    assert offers["bestCartDiscount"]["discountAmount"] == "60.00"
    assert applied["usage"]["discountAmount"] == "60.00"
    assert read == ["PREPARE", "EXECUTE"]
    # The customer's lock, the campaign's read and the conditional record, between BEGIN and COMMIT.
    assert write.count("PREPARE") == 3 and write.count("EXECUTE") == 3
    # The one connection has them all now: the next checkout only executes.
    (_, read), (applied, write) = checkout(gql, sent)
    assert applied["usage"]["discountAmount"] == "60.00"
    assert read == ["EXECUTE"]
    assert write.count("PREPARE") == 0 and write.count("EXECUTE") == 3


def test_off_runs_plain_statements_with_the_same_answers(settings, clock, client_for, statements_of):
    gql, sent = statements_of(replace(settings, db_pool_size=1, db_prepared_statements=False), clock, client_for)
    (offers, read), (applied, write) = checkout(gql, sent)
    assert offers["bestCartDiscount"]["discountAmount"] == "60.00"
    assert applied["usage"]["discountAmount"] == "60.00" and applied["userErrors"] == []
    assert read == ["SELECT"]
    assert "PREPARE" not in write and "EXECUTE" not in write and "SELECT" in write
