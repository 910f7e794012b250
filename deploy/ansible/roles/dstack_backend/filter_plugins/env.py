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


def dstack_backend_set(values, skip=()):
    """Names of the settings that are set (non-empty), except those in skip."""
    return sorted(name for name, value in values.items() if str(value) != "" and name not in skip)


class FilterModule:
    def filters(self):
        return {"dstack_backend_unsafe_env": dstack_backend_unsafe_env, "dstack_backend_set": dstack_backend_set}
