"""The triggers that give the configuration stamp (tickets/models/configuration.py) a new
random value with every write to a table the processes keep in memory
(tickets/configuration_cache.py), whatever makes the write. Shared by the migrations that
add such a table; the loader skips this module (its name starts with an underscore)."""

STAMP = "tickets_configurationstamp"
FUNCTION = "tickets_configuration_changed"
EVENTS = ("insert", "update", "delete")


def create_function(schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN UPDATE {STAMP} SET stamp = gen_random_uuid()::text WHERE id = 1; RETURN NULL; END $$"
        )


def drop_function(schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


def add_triggers(schema_editor, table: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE TRIGGER {table}_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
        )
    elif schema_editor.connection.vendor == "sqlite":
        for event in EVENTS:  # SQLite has row triggers only: one per kind of write
            schema_editor.execute(
                f"CREATE TRIGGER {table}_{event}_changed AFTER {event.upper()} ON {table} "
                f"BEGIN UPDATE {STAMP} SET stamp = lower(hex(randomblob(16))) WHERE id = 1; END"
            )


def drop_triggers(schema_editor, table: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_changed ON {table}")
    elif schema_editor.connection.vendor == "sqlite":
        for event in EVENTS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_{event}_changed")
