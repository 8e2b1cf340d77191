"""A local endpoint that answers as Gemini's generateContent, Cloud TTS's text:synthesize and the IAM
Credentials API's signBlob do.

The real client libraries talk to it over HTTP (REST), so our request shapes, retries and error
mapping are exercised without credentials. Responses are scripted per test; TTS audio is real speech
from espeak-ng so the pipeline downstream gets a genuine WAV.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa


class FakeGoogle:
    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.gemini_replies: list[
            tuple[int, Any]
        ] = []  # (status, draft dict | error message); last one repeats
        self.tts_errors: list[int] = []
        self.tts_always_fail: int | None = None  # an outage: every call answers this status
        self.tts_delay_s = 0.0
        self.tts_garbage = False
        # signBlob signs with this key, so a test can check a signed URL's signature with its public half.
        self.signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.signed: list[bytes] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                fake.requests.append((self.path, body))
                route = self.path.split("?", 1)[0]
                if route.endswith(":generateContent"):
                    status, payload = fake._gemini()
                elif route.endswith("text:synthesize"):
                    status, payload = fake._tts(body)
                elif route.endswith(":signBlob"):
                    status, payload = fake._sign_blob(body)
                else:
                    status, payload = (
                        404,
                        {"error": {"code": 404, "message": "no such method", "status": "NOT_FOUND"}},
                    )
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()

    @staticmethod
    def error(status: int, message: str) -> dict[str, Any]:
        names = {400: "INVALID_ARGUMENT", 429: "RESOURCE_EXHAUSTED", 503: "UNAVAILABLE"}
        return {"error": {"code": status, "message": message, "status": names.get(status, "UNKNOWN")}}

    def _gemini(self) -> tuple[int, dict[str, Any]]:
        status, reply = self.gemini_replies.pop(0) if len(self.gemini_replies) > 1 else self.gemini_replies[0]
        if status != 200:
            return status, self.error(status, str(reply))
        text = reply if isinstance(reply, str) else json.dumps(reply)
        return 200, {
            "candidates": [{"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP"}],
            "usageMetadata": {"promptTokenCount": 100, "candidatesTokenCount": 50, "totalTokenCount": 150},
        }

    def _sign_blob(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        payload = base64.b64decode(body["payload"])
        self.signed.append(payload)
        signature = self.signing_key.sign(payload, padding.PKCS1v15(), hashes.SHA256())
        return 200, {"keyId": "local-key", "signedBlob": base64.b64encode(signature).decode()}

    def _tts(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        time.sleep(self.tts_delay_s)
        if self.tts_always_fail:
            return self.tts_always_fail, self.error(self.tts_always_fail, "outage")
        if self.tts_garbage:
            return 200, {"audioContent": base64.b64encode(b"not audio at all").decode(), "timepoints": []}
        if self.tts_errors:
            status = self.tts_errors.pop(0)
            return status, self.error(status, "synthesis failed")
        ssml = body["input"]["ssml"]
        marks = re.findall(r'<mark name="([^"]+)"/>', ssml)
        text = re.sub(r"<[^>]+>", " ", ssml)
        with tempfile.TemporaryDirectory() as tmp:
            wav = Path(tmp) / "speech.wav"
            subprocess.run(["espeak-ng", "-w", str(wav), "--stdin"], input=text.encode(), check=True)
            audio = wav.read_bytes()
        seconds = (len(audio) - 44) / (22050 * 2)
        return 200, {
            "audioContent": base64.b64encode(audio).decode(),
            "timepoints": [
                {"markName": m, "timeSeconds": seconds * i / max(len(marks), 1)} for i, m in enumerate(marks)
            ],
        }
