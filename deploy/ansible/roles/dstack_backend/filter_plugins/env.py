"""Filters for the environment files the role writes (the daemon's env file and compose's .env)."""

import re

import yaml

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


def dstack_backend_compose_only(names, compose_text):
    """Names among names that docker-compose.yml interpolates for itself (DSTACK_BACKEND_USER, DSTACK_RUN_DIR,
    DEPHY_WORKER_*, ...) but does not pass to the daemon: a systemd env file has no use for them."""
    if not compose_text:
        return []
    passed = set(yaml.safe_load(compose_text)["services"]["dstack-backend"]["environment"])
    interpolated = set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", compose_text))
    return sorted(name for name in names if name in interpolated and name not in passed)


MASK = "***"


def dstack_backend_redact_url(text):
    """text (a URL, or what was typed for one) with its credentials masked as the daemon masks them
    (Sources/DstackBackend/Support/URLRedaction.swift): user:password@ shows user:***@, a bare user@ ***@,
    and every query (or fragment) parameter name=value shows name=***."""
    text = "" if text is None else str(text)
    result = ""
    rest = text
    scheme_end = rest.find("://")
    if scheme_end >= 0:
        result += rest[:scheme_end + 3]
        rest = rest[scheme_end + 3:]
    # The user information ends at the last @ of the authority; a password with an unescaped /, ? or # moves
    # that @ further on: then the last @ not preceded by a = (a query value) ends it.
    authority_end = next((i for i, c in enumerate(rest) if c in "/?#"), len(rest))
    at = rest.rfind("@", 0, authority_end)
    if at < 0:
        later = rest.rfind("@")
        if later >= 0 and "=" not in rest[:later]:
            at = later
    if at >= 0:
        userinfo = rest[:at]
        colon = userinfo.find(":")
        result += (userinfo[:colon] + ":" + MASK if colon >= 0 else MASK) + "@"
        rest = rest[at + 1:]
    start = next((i for i, c in enumerate(rest) if c in "?#"), None)
    if start is None:
        return result + rest
    result += rest[:start]
    masking = False
    for c in rest[start:]:
        if c in "?#&":
            masking = False
            result += c
        elif c == "=" and not masking:
            masking = True
            result += "=" + MASK
        elif not masking:
            result += c
    return result


def dstack_backend_mask(text, secrets):
    """text with every non-empty value of secrets replaced by ***, and every URL in it masked (for output a
    command printed, such as an error that may quote the env file)."""
    text = "" if text is None else str(text)
    for secret in sorted((str(s) for s in (secrets or []) if str(s)), key=len, reverse=True):
        text = text.replace(secret, MASK)
    return re.sub(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s\"'<>]+", lambda m: dstack_backend_redact_url(m.group(0)), text)


class FilterModule:
    def filters(self):
        return {
            "dstack_backend_unsafe_env": dstack_backend_unsafe_env,
            "dstack_backend_unpassed": dstack_backend_unpassed,
            "dstack_backend_compose_only": dstack_backend_compose_only,
            "dstack_backend_redact_url": dstack_backend_redact_url,
            "dstack_backend_mask": dstack_backend_mask,
        }
