"""A minimal synchronous client the launcher uses to wait for and seed the cluster.

Only what starting the control plane needs: probe ``/readyz``, read an object,
and server-side apply a manifest. Tests and the operator use
``kubernetes_asyncio`` instead; keeping this one on the standard library lets
the launcher run without an event loop.
"""

from __future__ import annotations

import http.client
import json
import ssl
import urllib.parse
from typing import Any

from origin_ca_operator.localcluster.pki import KeyPair

REQUEST_TIMEOUT_SECONDS = 10.0
FIELD_MANAGER = "origin-ca-localcluster"


class AdminClient:
    """Talks to the API server over TLS with the admin client certificate."""

    def __init__(self, server: str, ca: KeyPair, admin: KeyPair) -> None:
        parsed = urllib.parse.urlsplit(server)
        self.host = parsed.hostname or "127.0.0.1"
        self.port = parsed.port or 443
        self.context = ssl.create_default_context(cafile=str(ca.certificate))
        self.context.load_cert_chain(str(admin.certificate), str(admin.key))

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        content_type: str = "application/json",
    ) -> tuple[int, bytes]:
        """Send one request; return the HTTP status and the body.

        Raises ``OSError`` (or ``http.client.HTTPException``) when the server
        cannot be reached.
        """
        connection = http.client.HTTPSConnection(
            self.host, self.port, context=self.context, timeout=REQUEST_TIMEOUT_SECONDS
        )
        try:
            headers = {"Accept": "application/json"}
            if body is not None:
                headers["Content-Type"] = content_type
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def get_json(self, path: str) -> tuple[int, dict[str, Any]]:
        """GET ``path``; the status and the decoded JSON (empty when not JSON)."""
        status, body = self.request("GET", path)
        try:
            decoded = json.loads(body)
        except ValueError:
            decoded = {}
        return status, decoded if isinstance(decoded, dict) else {}

    def apply(self, path: str, manifest: dict[str, Any]) -> tuple[int, bytes]:
        """Server-side apply ``manifest`` at ``path``, taking over any conflict."""
        query = urllib.parse.urlencode({"fieldManager": FIELD_MANAGER, "force": "true"})
        return self.request(
            "PATCH",
            f"{path}?{query}",
            body=json.dumps(manifest).encode(),
            content_type="application/apply-patch+yaml",
        )
