"""Server-side prepared statements for the checkout's hot statements.

psycopg2 sends every statement as text with its parameters filled in, so
PostgreSQL parses, analyses and plans it again each time. For the offers
query that is more than half of the database's CPU per request
(bench/HISTORY.md). A
`PreparedStatement` is compiled once; on each pooled connection it is
PREPAREd the first time it runs there, and from then on runs as
`EXECUTE name(...)`. PostgreSQL keeps the statement for the connection's
life, whatever its transactions do, and after five runs settles on a plan
for all parameters when that plan is no costlier than the specific ones.

Behind PgBouncer in transaction mode, which hands each transaction any
server connection, named statements cannot be used: `DB_PREPARED_STATEMENTS=0`
runs the same statements as plain text.
"""

from __future__ import annotations

import itertools
import re
from typing import Any, Mapping

from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection, CursorResult
from sqlalchemy.sql import Executable

# The engine execution option that turns them on (see Database).
OPTION = "campaign_service_prepared_statements"
_PREPARED_KEY = "campaign_service_prepared"
_PYFORMAT = re.compile(r"%\(([^)]+)\)s|%%")
_names = itertools.count(1)


class PreparedStatement:
    def __init__(self, statement: Executable):
        self.statement = statement
        compiled = statement.compile(dialect=postgresql.psycopg2.dialect())
        self.parameters: list[str] = []  # $1, $2, ... in order

        def positional(match: re.Match) -> str:
            if match.group(0) == "%%":
                return "%"
            name = match.group(1)
            if name not in self.parameters:
                self.parameters.append(name)
            return f"${self.parameters.index(name) + 1}"

        self.defaults = compiled.params  # values of bind parameters the statement itself fills
        self.name = f"campaign_service_{next(_names)}"
        self.prepare_sql = f"PREPARE {self.name} AS {_PYFORMAT.sub(positional, compiled.string)}"
        placeholders = ", ".join(["%s"] * len(self.parameters))
        self.execute_sql = f"EXECUTE {self.name}({placeholders})" if self.parameters else f"EXECUTE {self.name}"

    def execute(self, connection: Connection, parameters: Mapping[str, Any]) -> CursorResult:
        """Runs it on `connection`, prepared when the engine allows it."""
        if not connection.get_execution_options().get(OPTION):
            return connection.execute(self.statement, parameters)
        prepared = connection.connection.info.setdefault(_PREPARED_KEY, set())
        if self.name not in prepared:
            connection.exec_driver_sql(self.prepare_sql)
            prepared.add(self.name)
        values = {**self.defaults, **parameters}
        return connection.exec_driver_sql(self.execute_sql, tuple(values[name] for name in self.parameters))
