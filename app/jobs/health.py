"""Whether the background workers are alive, for /readyz.

A stub: the lead replaces this body with a read of the worker heartbeat table.
"""

from app.state import Services


def workers_ready(services: Services) -> tuple[bool, str]:
    """(ready, what /readyz reports under "workers"), e.g. (False, "no heartbeat for 90 s").

    Return (False, reason) rather than raise when the database does not answer: /readyz must answer 503, not 500.
    Stub until the worker heartbeat table exists: never checked, always ready.
    """
    return True, "not checked"
