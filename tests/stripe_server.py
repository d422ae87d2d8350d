"""localstripe (a fake, stateful Stripe server) for the tests, and signed webhook payloads.

localstripe keeps its data in memory and writes it after every change to the fixed file
`/tmp/localstripe.pickle` (it cannot be moved: the path is in its code). Two servers at once
(two xdist workers, another engineer's run on the same machine) would overwrite each other's
file, and one server shared by the workers would need a lock around a process that outlives
its starter. So each pytest worker starts its own server on a free port with `--from-scratch`
and with the writing to disk switched off (`Store.dump_to_disk` replaced by a no-op before the
server starts): nothing is shared, nothing is read back, and the fixed file is never touched."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from typing import Any

import requests
import stripe

# Run localstripe's own entry point (`localstripe --port N --from-scratch`) in memory only.
_IN_MEMORY = (
    "import localstripe.resources as r\n"
    "r.Store.dump_to_disk = lambda self: None\n"
    "from localstripe.server import start\n"
    "start()\n"
)
SECRET_KEY = "sk_test_localstripe"
WEBHOOK_SECRET = "whsec_test_sociaal_rendement"


class LocalStripe:
    """One localstripe process on 127.0.0.1:<port>."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self._process: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-c", _IN_MEMORY, "--port", str(self.port), "--from-scratch"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"localstripe exited with {self._process.returncode}")
            try:
                requests.get(f"{self.url}/v1/customers", auth=(SECRET_KEY, ""), timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("localstripe did not start")

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
        self._process = None

    def send_webhooks_to(self, url: str, secret: str = WEBHOOK_SECRET) -> None:
        """Have localstripe post its own events, signed, to `url`."""
        requests.post(
            f"{self.url}/_config/webhooks/sr",
            data={"url": url, "secret": secret},
            auth=(SECRET_KEY, ""),
            timeout=5,
        ).raise_for_status()


def signed(
    event: dict[str, Any], secret: str = WEBHOOK_SECRET, timestamp: int | None = None
) -> tuple[bytes, str]:
    """The body and Stripe-Signature header Stripe would send for `event`."""
    payload = json.dumps(event).encode()
    header = stripe.WebhookSignature.generate_signature_header(
        payload.decode(), secret, timestamp=timestamp or int(time.time())
    )
    return payload, header


def event(event_id: str, kind: str, obj: dict[str, Any]) -> dict[str, Any]:
    """A webhook event of the real shape around `obj`."""
    return {
        "id": event_id,
        "object": "event",
        "api_version": "2025-03-31.basil",
        "created": int(time.time()),
        "type": kind,
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "data": {"object": obj},
    }
