"""The server-side pepper API keys are HMAC'd with: a secret from the environment (Secret Manager in the
cloud), or offline a random one the project writes itself, readable only by its owner."""

from __future__ import annotations

import os
import secrets

from shared.config import Settings
from shared.errors import PermanentError

PEPPER_BYTES = 32
# Set by Cloud Run and Cloud Functions on every instance: no file there outlives the instance.
CLOUD_MARKERS = ("K_SERVICE", "CLOUD_RUN_JOB")


def pepper(settings: Settings) -> bytes:
    if settings.api_key_pepper is not None:
        return settings.api_key_pepper.get_secret_value().encode()
    if any(os.environ.get(marker) for marker in CLOUD_MARKERS):
        raise PermanentError("API_KEY_PEPPER is not set: mount it from Secret Manager", code="no_pepper")
    path = settings.api_key_pepper_file
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside, then linked into place: two processes starting at once agree on the first one's,
        # and neither reads a half-written file.
        aside = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
        descriptor = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_hex(PEPPER_BYTES))
        try:
            os.link(aside, path)
        except FileExistsError:
            pass
        finally:
            aside.unlink()
    return path.read_bytes().strip()
