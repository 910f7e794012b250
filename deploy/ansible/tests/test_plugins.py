"""Unit tests of the role's Jinja plugins (run by scripts/fleet-test, before any container):
python3 deploy/ansible/tests/test_plugins.py"""

import importlib.util
import pathlib
import unittest

ROLE = pathlib.Path(__file__).resolve().parent.parent / "roles" / "dstack_backend"


def load(relative):
    spec = importlib.util.spec_from_file_location(relative.replace("/", "_"), ROLE / relative)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


health = load("test_plugins/backend_info.py").dstack_backend_health_ok
env = load("filter_plugins/env.py")

PUBKEY = "a" * 64


def answer(code=200, **changes):
    info = {"version": "1.0.0", "topic": "dstack-gpu-monitor", "pubkeys": [PUBKEY], "status": "Available",
            "metadata": "{\"gpu_count\":0,\"gpus\":[],\"allow_attach_all\":true}", "ip_address": None}
    info.update(changes)
    return {"status": code, "json": info}


class HealthGate(unittest.TestCase):
    def test_available_passes(self):
        self.assertTrue(health(answer()))

    def test_unavailable_passes_only_when_allowed(self):
        down = answer(503, status="Unavailable", metadata="Error: VMM down")
        self.assertFalse(health(down))
        self.assertTrue(health(down, False))

    def test_status_must_match_the_http_code(self):
        self.assertFalse(health(answer(503)))
        self.assertFalse(health(answer(200, status="Unavailable"), False))
        self.assertFalse(health(answer(200, status="available")))

    def test_malformed_answers_fail(self):
        self.assertFalse(health({"status": -1, "msg": "Connection refused"}))
        self.assertFalse(health({"status": 200, "json": ["not", "an", "object"]}))
        self.assertFalse(health(answer(pubkeys=[])))
        self.assertFalse(health(answer(pubkeys=[PUBKEY, PUBKEY])))
        self.assertFalse(health(answer(pubkeys=["A" * 64])))
        self.assertFalse(health(answer(pubkeys=["a" * 63])))
        self.assertFalse(health(answer(topic="other")))
        self.assertFalse(health(answer(version="2.0.0")))
        self.assertFalse(health(answer(metadata={"gpu_count": 0})))
        info = answer()
        del info["json"]["ip_address"]
        self.assertFalse(health(info))
        self.assertFalse(health(None))


class EnvFilters(unittest.TestCase):
    def test_unsafe_values_are_named_not_shown(self):
        values = {"token": 'se"cret', "url": "http://x:1", "owner": 1234, "multi": "a\nb", "slash": "a\\b"}
        self.assertEqual(env.dstack_backend_unsafe_env(values), ["multi", "slash", "token"])

    def test_dollar_is_unsafe_only_for_compose(self):
        values = {"token": "a$b"}
        self.assertEqual(env.dstack_backend_unsafe_env(values, "systemd"), [])
        self.assertEqual(env.dstack_backend_unsafe_env(values, "compose"), ["token"])

    def test_unpassed_names_settings_the_compose_file_does_not_pass(self):
        names = {"a_url": "REGISTRY_URL", "a_listen": "LISTEN_ADDR", "a_conn": "MAX_CONNECTIONS", "a_empty": "METRICS"}
        values = {"a_url": "http://x", "a_listen": "0.0.0.0:80", "a_conn": "10", "a_empty": ""}
        passed = ["REGISTRY_URL", "LISTEN_ADDR"]
        self.assertEqual(env.dstack_backend_unpassed(values, names, passed), ["MAX_CONNECTIONS"])
        self.assertEqual(env.dstack_backend_unpassed(values, names, passed + ["MAX_CONNECTIONS"], {"X_Y": "1"}), ["X_Y"])
    def test_compose_only_names_are_the_compose_files_own(self):
        compose = (ROLE / ".." / ".." / ".." / ".." / "docker-compose.yml").read_text()
        names = ["DSTACK_BACKEND_USER", "DSTACK_RUN_DIR", "DEPHY_WORKER_IMAGE_TAG", "DSTACK_BACKEND_PORT",
                 "MAX_HEADER_BYTES", "DSTACK_BACKEND_DSTACK_URL", "SOMETHING_ELSE"]
        self.assertEqual(env.dstack_backend_compose_only(names, compose),
                         ["DEPHY_WORKER_IMAGE_TAG", "DSTACK_BACKEND_PORT", "DSTACK_BACKEND_USER", "DSTACK_RUN_DIR"])


class Redaction(unittest.TestCase):
    # The daemon's own cases (Tests/DstackBackendTests/Config/CredentialRedactionTests.swift).
    CASES = [
        ("https://alice:s3cretPass@registry.example.com/api", "https://alice:***@registry.example.com/api"),
        ("https://s3cretPass@host", "https://***@host"),
        ("http://host:8080/x?token=t0kenValue&json", "http://host:8080/x?token=***&json"),
        ("http://a:s3cretPass@host?token=t0kenValue", "http://a:***@host?token=***"),
        ("htp://alice:s3cretPass@host", "htp://alice:***@host"),
        ("alice:s3cretPass@host:80", "alice:***@host:80"),
        ("http://alice:p@ss@host/", "http://alice:***@host/"),
        ("http://localhost:19060/prpc/ListGpus?json", "http://localhost:19060/prpc/ListGpus?json"),
        ("unix:///run/vmm.sock", "unix:///run/vmm.sock"),
        ("https://host/#frag?token=t0kenValue", "https://host/#frag?token=***"),
        ("http://alice:pa/ss@host/x", "http://alice:***@host/x"),
        ("http://alice:pa?ss@host", "http://alice:***@host"),
        ("http://alice:pa#ss@host", "http://alice:***@host"),
        ("http://host/p?email=a@b.example&k=v", "http://host/p?email=***&k=***"),
    ]

    def test_urls_are_masked_as_the_daemon_masks_them(self):
        for text, shown in self.CASES:
            self.assertEqual(env.dstack_backend_redact_url(text), shown, text)

    def test_empty_and_non_strings(self):
        self.assertEqual(env.dstack_backend_redact_url(""), "")
        self.assertEqual(env.dstack_backend_redact_url(None), "")
        self.assertEqual(env.dstack_backend_redact_url(1234), "1234")

    def test_mask_hides_secrets_and_urls_in_free_text(self):
        text = 'error: REGISTRY_URL=https://bob:pw1@r.example/x?token=tk2 and DSTACK_TOKEN="vmm-secret" failed'
        shown = env.dstack_backend_mask(text, ["vmm-secret", ""])
        for secret in ("pw1", "tk2", "vmm-secret"):
            self.assertNotIn(secret, shown)
        self.assertIn("https://bob:***@r.example/x?token=***", shown)


if __name__ == "__main__":
    unittest.main(verbosity=1)
