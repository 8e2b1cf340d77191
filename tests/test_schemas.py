import uuid

import pytest
from pydantic import ValidationError

from shared.domain.schemas import ContentRequestCreate, parse_request_id, validate_webhook
from shared.domain.webhooks import UnsafeWebhook, check_webhook_url


def test_grade_forms_are_normalised():
    for given, expected in [
        ("5", "5"),
        (5, "5"),
        ("K", "K"),
        ("k", "K"),
        (0, "K"),
        ("Grade 7", "7"),
        ("012", "12"),
    ]:
        assert ContentRequestCreate(student_query="water cycle", grade_level=given).grade_level == expected


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"student_query": "x", "grade_level": "13"}, "grade_level"),
        ({"student_query": "x", "duration_minutes": 11}, "duration_minutes"),
        ({"student_query": "x", "duration_minutes": True}, "duration_minutes"),
        ({"student_query": "x", "language": "en-us"}, "language"),
        ({"student_query": "x", "language": "xx-US"}, "language"),
        ({"student_query": "x", "organization_id": "a/b"}, "organization_id"),
        ({"student_query": "x", "colour": "red"}, "colour"),
        ({"student_query": "x", "options": {"resolution": "4k"}}, "options.resolution"),
        ({"student_query": "x" * 2001}, "student_query"),
    ],
)
def test_invalid_fields_are_named(body, field):
    with pytest.raises(ValidationError) as info:
        ContentRequestCreate.model_validate(body)
    assert field in {".".join(map(str, e["loc"])) for e in info.value.errors()}


def test_whitespace_is_folded():
    assert ContentRequestCreate(student_query="  water \n cycle ").student_query == "water cycle"


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/computeMetadata/v1/",
        "https://metadata.google.internal/x",
        "https://10.0.0.5/hook",
        "https://127.0.0.1/hook",
        "https://[::1]/hook",
        "https://localhost/hook",
        "http://example.com/hook",  # plain http
        "file:///etc/passwd",
        "https://user:pw@example.com/hook",
    ],
)
def test_unsafe_webhooks_are_refused(url):
    with pytest.raises(UnsafeWebhook):
        check_webhook_url(url)


def test_private_webhooks_allowed_only_when_asked():
    body = ContentRequestCreate(student_query="x", webhook_url="http://127.0.0.1:9000/hook")
    assert validate_webhook(body, allow_loopback=False)
    assert validate_webhook(body, allow_loopback=True) == []
    assert check_webhook_url("https://hooks.example.com/lesson") == "https://hooks.example.com/lesson"


def test_request_ids_with_or_without_hyphens_any_case():
    value = uuid.uuid4()
    for text in (str(value), value.hex, str(value).upper(), value.hex.upper()):
        assert parse_request_id(text) == value
    for bad in ("nope", "1234", str(value) + "0", "../../etc"):
        with pytest.raises(ValueError):
            parse_request_id(bad)
