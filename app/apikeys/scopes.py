"""API key scopes and presets."""

AREAS_READ_WRITE = ("sessions", "webhooks", "groups", "scheduled", "ai", "jobs")

ALL_SCOPES: tuple[str, ...] = (
    "sessions:read", "sessions:write",
    "messages:send", "messages:read",
    "webhooks:read", "webhooks:write",
    "groups:read", "groups:write",
    "scheduled:read", "scheduled:write",
    "ai:read", "ai:write",
    "jobs:read", "jobs:write",
    "keys:manage",
)

PRESETS: dict[str, tuple[str, ...]] = {
    "Messaging": ("sessions:read", "messages:send", "messages:read"),
    "Outreach": ("sessions:read", "messages:send", "messages:read", "groups:read", "groups:write",
                 "scheduled:read", "scheduled:write"),
    "Read only": tuple(scope for scope in ALL_SCOPES if scope.endswith(":read")),
    "Full access": ALL_SCOPES,
}


def expand_scopes(requested: list[str]) -> list[str]:
    """Expand `area:*` wildcards; raise ValueError naming any unknown scope."""
    expanded: list[str] = []
    for scope in requested:
        if scope.endswith(":*"):
            matches = [s for s in ALL_SCOPES if s.startswith(scope[:-1])]
        else:
            matches = [scope] if scope in ALL_SCOPES else []
        if not matches:
            raise ValueError(f"unknown scope {scope!r}; valid scopes: {', '.join(ALL_SCOPES)}")
        expanded.extend(m for m in matches if m not in expanded)
    return sorted(expanded, key=ALL_SCOPES.index)
