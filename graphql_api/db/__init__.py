"""The database: engines and units of work, migrations, the embedded server, the whole-database check."""
