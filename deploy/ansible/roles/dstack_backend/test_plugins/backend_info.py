"""The Jinja test `dstack_backend_health_ok`: is a uri result a valid BackendInfo (contract section 5)?"""


def dstack_backend_health_ok(result, require_available=True):
    if not isinstance(result, dict):
        return False
    info = result.get("json")
    status = result.get("status")
    if not isinstance(info, dict) or status not in (200, 503):
        return False
    pubkeys = info.get("pubkeys")
    valid = (
        info.get("version") == "1.0.0"
        and info.get("topic") == "dstack-gpu-monitor"
        and isinstance(pubkeys, list)
        and len(pubkeys) == 1
        and isinstance(pubkeys[0], str)
        and len(pubkeys[0]) == 64
        and all(c in "0123456789abcdef" for c in pubkeys[0])
        and isinstance(info.get("metadata"), str)
        and "ip_address" in info
        and (info.get("status"), status) in (("Available", 200), ("Unavailable", 503))
    )
    if not valid:
        return False
    return info["status"] == "Available" or not require_available


class TestModule:
    def tests(self):
        return {"dstack_backend_health_ok": dstack_backend_health_ok}
