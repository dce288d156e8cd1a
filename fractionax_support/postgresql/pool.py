"""How the connection pool checks a connection before handing it out."""

import select

from psycopg import Connection
from psycopg_pool import ConnectionPool


def check_if_server_spoke(connection: Connection) -> None:
    """Django's pool check (`CONN_HEALTH_CHECKS`) is a round trip to the server for every
    connection handed out, that is for every request. An idle connection has nothing to
    read unless the server has closed it (a restart's goodbye, or end of file), so only a
    readable one pays for the round trip that confirms it: that raises for a dead one,
    which the pool then replaces."""
    poller = select.poll()
    poller.register(connection.fileno(), select.POLLIN)
    if poller.poll(0):
        ConnectionPool.check_connection(connection)
