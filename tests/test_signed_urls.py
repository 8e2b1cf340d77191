"""Signed URLs with the credentials Cloud Run and Cloud Functions really have: a token, no private key.

The real storage and IAM Credentials client libraries sign through a local signBlob endpoint
(tests/support/fake_google.py), which signs with a key whose public half checks the URL's signature.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from google.auth.credentials import AnonymousCredentials
from google.cloud import iam_credentials_v1, storage  # type: ignore[attr-defined]
from google.oauth2.credentials import Credentials as TokenCredentials

from shared.storage.gcs import GCSStorage
from shared.storage.signing import IamSigner, UrlCache
from tests.support.fake_google import FakeGoogle

ACCOUNT = "vividly-fn-status@project.iam.gserviceaccount.com"


@pytest.fixture
def fake():
    server = FakeGoogle()
    yield server
    server.stop()


def _token_only_client() -> storage.Client:
    # What the metadata server hands out: an access token, nothing to sign with.
    return storage.Client(project="project", credentials=TokenCredentials(token="metadata-token"))


def _storage(fake: FakeGoogle) -> GCSStorage:
    iam = iam_credentials_v1.IAMCredentialsClient(
        credentials=AnonymousCredentials(), client_options={"api_endpoint": fake.url}, transport="rest"
    )
    return GCSStorage(
        "lessons", project="project", client=_token_only_client(), signer=lambda: IamSigner(ACCOUNT, iam)
    )


def test_token_only_credentials_cannot_sign_by_themselves():
    # The defect: this is what get_request_status did in the cloud once a lesson had artifacts.
    blob = _token_only_client().bucket("lessons").blob("a/lesson.mp4")
    with pytest.raises(AttributeError, match="private key"):
        blob.generate_signed_url(version="v4", expiration=timedelta(hours=1))


def test_urls_are_signed_through_sign_blob_as_the_service_account(fake, monkeypatch):
    monkeypatch.delenv("STORAGE_EMULATOR_HOST", raising=False)
    url = _storage(fake).url("a/lesson.mp4", expires_s=900)

    parsed = urlparse(url)
    query = parse_qs(parsed.query)
    assert parsed.netloc == "storage.googleapis.com" and parsed.path == "/lessons/a/lesson.mp4"
    assert query["X-Goog-Algorithm"] == ["GOOG4-RSA-SHA256"]
    assert query["X-Goog-Credential"][0].startswith(f"{ACCOUNT}/")
    assert query["X-Goog-Expires"] == ["900"]
    # signBlob was asked to sign the V4 string-to-sign, and the URL carries that signature.
    [signed] = fake.signed
    algorithm, timestamp, scope, request_hash = signed.decode().split("\n")
    assert (algorithm, timestamp) == ("GOOG4-RSA-SHA256", query["X-Goog-Date"][0])
    assert query["X-Goog-Credential"][0] == f"{ACCOUNT}/{scope}"
    canonical_query = parsed.query.split("&X-Goog-Signature=")[0]
    canonical = "\n".join(
        ["GET", parsed.path, canonical_query, "host:storage.googleapis.com\n", "host", "UNSIGNED-PAYLOAD"]
    )
    assert hashlib.sha256(canonical.encode()).hexdigest() == request_hash
    fake.signing_key.public_key().verify(
        bytes.fromhex(query["X-Goog-Signature"][0]), signed, padding.PKCS1v15(), hashes.SHA256()
    )


def test_a_url_is_reused_until_shortly_before_it_expires(fake, monkeypatch):
    monkeypatch.delenv("STORAGE_EMULATOR_HOST", raising=False)
    gcs = _storage(fake)
    now = [1000.0]
    gcs._urls = UrlCache(renew_before_s=300, clock=lambda: now[0])
    first = gcs.url("a/lesson.mp4")
    now[0] += 3000  # 50 minutes into a one-hour URL: still good
    assert gcs.url("a/lesson.mp4") == first and len(fake.signed) == 1
    assert gcs.url("a/captions.vtt") != first and len(fake.signed) == 2  # another object, its own URL
    now[0] += 400  # within five minutes of expiry: signed afresh
    gcs.url("a/lesson.mp4")
    assert len(fake.signed) == 3


def test_the_emulator_serves_objects_without_signing():
    gcs = GCSStorage(
        "lessons", project="project", client=_token_only_client(), emulator_host="http://127.0.0.1:9023"
    )
    assert gcs.url("a/lesson.mp4") == (
        "http://127.0.0.1:9023/download/storage/v1/b/lessons/o/a%2Flesson.mp4?alt=media"
    )
