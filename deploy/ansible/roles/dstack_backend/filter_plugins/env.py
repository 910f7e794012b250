"""Filters for the environment files the role writes (the daemon's env file and compose's .env)."""

import re

# Characters the file formats would change: systemd's EnvironmentFile and compose's .env read quotes and
# backslashes specially and end a value at a newline; compose also expands $.
_UNSAFE = re.compile(r"[\n\r\"'\\]")
_UNSAFE_COMPOSE = re.compile(r"[\n\r\"'\\$]")


def dstack_backend_unsafe_env(values, mode="systemd"):
    """Names (never values: one may be the VMM token) whose value the env file would not carry as is."""
    pattern = _UNSAFE_COMPOSE if mode == "compose" else _UNSAFE
    return sorted(name for name, value in values.items() if pattern.search(str(value)))


def dstack_backend_unpassed(values, names, passed, extra=None):
    """Environment names set in the role (values by role variable, names: role variable -> env name) or in
    extra that the compose file does not pass to the container (passed: its environment: names). LISTEN_ADDR
    is the compose file's own (only its port is used, as the published port)."""
    unpassed = [names[var] for var, value in values.items()
                if str(value) != "" and names[var] != "LISTEN_ADDR" and names[var] not in passed]
    unpassed += [name for name in (extra or {}) if name not in passed]
    return sorted(unpassed)


class FilterModule:
    def filters(self):
        return {"dstack_backend_unsafe_env": dstack_backend_unsafe_env, "dstack_backend_unpassed": dstack_backend_unpassed}
