"""dephy-worker stand-in for scripts/image-test: what the real worker needs from the backend, checked.

Started with the real worker's arguments (--api-addr, --registry, --backend). It
  1. loads data/key as dephy-io's key loader (read_or_generate_keypair) does: read the file, trim(), parse hex.
     Where that loader would generate a new key on any read error, the stand-in reports the error instead:
     a worker that cannot read the backend's key silently becomes another node, which is what this catches;
  2. writes key.pub (public key hex) beside the key, as that loader does on every start;
  3. derives the public key with its own secp256k1 arithmetic (pure Python, checked against BIP-340 vector 0);
  4. polls --backend until it answers BackendInfo and finds the public key in "pubkeys";
  5. asks the registry (STANDIN_REGISTRY_URL, else --registry, if given) whether the worker may write.
It serves the outcome as JSON on --api-addr: {"state": "waiting" | "ok" | "failed", ...}.
"""

import argparse
import http.server
import json
import os
import sys
import threading
import time
import urllib.error
import urllib.request

P = 2**256 - 2**32 - 977
N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
G = (
    0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798,
    0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8,
)


def point_add(a, b):
    if a is None:
        return b
    if b is None:
        return a
    if a[0] == b[0] and (a[1] + b[1]) % P == 0:
        return None
    if a == b:
        slope = 3 * a[0] * a[0] * pow(2 * a[1], P - 2, P) % P
    else:
        slope = (b[1] - a[1]) * pow(b[0] - a[0], P - 2, P) % P
    x = (slope * slope - a[0] - b[0]) % P
    return (x, (slope * (a[0] - x) - a[1]) % P)


def xonly_public_key(secret: int) -> str:
    if not 0 < secret < N:
        raise ValueError("secret key out of range")
    result, addend = None, G
    while secret:
        if secret & 1:
            result = point_add(result, addend)
        addend = point_add(addend, addend)
        secret >>= 1
    return result[0].to_bytes(32, "big").hex()


# BIP-340 test vector 0: secret key 3.
assert xonly_public_key(3) == "f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9"

STATE = {"state": "waiting", "detail": "starting", "uid": os.getuid(), "gid": os.getgid()}
LOCK = threading.Lock()


def report(**fields):
    with LOCK:
        STATE.update(fields)
        line = json.dumps(STATE, sort_keys=True)
    print("dephy-worker-standin: " + line, flush=True)


def load_key(path):
    """dephy-io's loader: fs::read_to_string, trim, hex (nsec1 is not used by the backend's writer)."""
    with open(path, encoding="utf-8") as handle:
        text = handle.read().strip()
    if len(text) != 64:
        raise ValueError(f"{path} holds {len(text)} characters after trimming, not 64 hex")
    return int(text, 16)


def fetch(url, timeout=3):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def check(args):
    key_path = os.path.join(args.data_dir, "key")
    deadline = time.monotonic() + args.timeout
    # False under podman 4.3, which ignores `condition: service_healthy`; Docker starts the worker only later.
    report(key_present_at_start=os.path.exists(key_path))
    # The backend creates the key on its first start; podman-compose does not wait for service_healthy.
    while not os.path.exists(key_path):
        if time.monotonic() > deadline:
            return report(state="failed", detail=f"no key file at {key_path} after {args.timeout}s")
        time.sleep(0.5)
    try:
        secret = load_key(key_path)
    except (OSError, ValueError) as error:
        return report(state="failed", detail=f"cannot load the backend's key: {error}")
    pubkey = xonly_public_key(secret)
    report(pubkey=pubkey, detail="key loaded")
    try:
        with open(key_path + ".pub", "w", encoding="utf-8") as handle:
            handle.write(pubkey)
    except OSError as error:
        return report(state="failed", detail=f"cannot write key.pub beside the key: {error}")
    report(key_pub_written=True, detail="key.pub written")

    last = "no answer yet"
    while time.monotonic() < deadline:
        try:
            status, body = fetch(args.backend)
            info = json.loads(body)
            if status in (200, 503) and info.get("topic") == "dstack-gpu-monitor":
                if pubkey not in info.get("pubkeys", []):
                    return report(state="failed", detail=f"pubkey {pubkey} not in /health pubkeys {info.get('pubkeys')}")
                report(health_status=status, backend_status=info.get("status"))
                break
            last = f"HTTP {status}"
        except (OSError, ValueError) as error:
            last = str(error)
        time.sleep(1)
    else:
        return report(state="failed", detail=f"{args.backend} gave no BackendInfo within {args.timeout}s: {last}")

    registry = os.environ.get("STANDIN_REGISTRY_URL") or args.registry
    if registry:
        try:
            status, body = fetch(registry.rstrip("/") + "/permissions/" + pubkey)
        except OSError as error:
            return report(state="failed", detail=f"registry {registry} did not answer: {error}")
        try:
            mode = json.loads(body).get("write", {}).get("mode")
        except ValueError:
            mode = None
        if status != 200 or mode != "AllowAll":
            return report(state="failed", detail=f"registry /permissions/{pubkey}: HTTP {status}, write mode {mode}")
        report(registry_write_mode=mode)
    report(state="ok", detail="key read, key.pub written, pubkey found in /health")


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with LOCK:
            body = json.dumps(STATE, sort_keys=True).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_):
        pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--api-addr", default="0.0.0.0:9001")
    parser.add_argument("--registry", default="")
    parser.add_argument("--backend", required=True)
    parser.add_argument("--data-dir", default="/opt/dephy-worker/data")
    parser.add_argument("--timeout", type=float, default=float(os.environ.get("STANDIN_TIMEOUT", "240")))
    args = parser.parse_args()
    host, _, port = args.api_addr.rpartition(":")
    server = http.server.ThreadingHTTPServer((host, int(port)), Handler)
    threading.Thread(target=check, args=(args,), daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
