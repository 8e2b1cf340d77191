"""A local stand-in for Identity Platform's signing side: an RSA key with its X.509 certificate served on
127.0.0.1 the way Google serves securetoken's (JSON of key id → PEM, with Cache-Control), and RS256 ID tokens
minted with it through google-auth's own signer."""

from __future__ import annotations

import datetime
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from google.auth import crypt, jwt


class SigningKey:
    def __init__(self, key_id: str) -> None:
        self.key_id = key_id
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "securetoken.test")])
        now = datetime.datetime.now(datetime.UTC)
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.private.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .sign(self.private, hashes.SHA256())
            .public_bytes(serialization.Encoding.PEM)
            .decode()
        )
        pem = self.private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        self.signer = crypt.RSASigner.from_string(pem, key_id=key_id)

    def mint(
        self,
        *,
        project: str,
        subject: str = "user-1",
        tenant: str | None = "tenant-a",
        issuer: str | None = None,
        audience: str | None = None,
        expires_in_s: int = 3600,
        **claims: Any,
    ) -> str:
        now = int(time.time())
        payload: dict[str, Any] = {
            "iss": issuer or f"https://securetoken.google.com/{project}",
            "aud": audience or project,
            "sub": subject,
            "iat": now - 60 if expires_in_s > 0 else now + expires_in_s - 3600,
            "exp": now + expires_in_s,
            "auth_time": now - 60,
            **claims,
        }
        if tenant is not None:
            payload["firebase"] = {"tenant": tenant, "sign_in_provider": "password"}
        return jwt.encode(self.signer, payload).decode()


class CertificateServer:
    """Serves {key id: certificate PEM} with a max-age, counting the fetches."""

    def __init__(self, *keys: SigningKey, max_age_s: int = 3600) -> None:
        self.keys = list(keys)
        self.fetches = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                pass

            def do_GET(self) -> None:
                owner.fetches += 1
                body = json.dumps({k.key_id: k.certificate for k in owner.keys}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Cache-Control", f"public, max-age={max_age_s}, must-revalidate")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/certs"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
