"""Smoke test: submit the water-cycle lesson, get it processed, poll to completed, check the MP4 plays.

Local (CI runs this against `vividly dev`, which prints its key):
    python scripts/smoke_test.py --base-url http://127.0.0.1:8080 --api-key vvd_…
Cloud (Cloud Build runs this after a deploy):
    python scripts/smoke_test.py --cloud --region us-central1 --impersonate SA_EMAIL \
        --submit-url https://…/submit-content-request --status-url https://…/get-request-status

The API key may instead come from VIVIDLY_API_KEY (Cloud Build reads it from Secret Manager); it is sent as
`X-API-Key`, since in the cloud `Authorization` carries the Google ID token of the invoker.

In the cloud it runs `gcloud run jobs execute vividly-worker --wait` itself; locally the dev stack's
worker is already following the subscription. Exit 0 only if the lesson completed and its video has a
video and an audio stream of the narration's length.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from shared.media.video import probe

BODY = {
    "student_query": "Create a 3-minute video explaining the water cycle, including evaporation, condensation, and precipitation.",
    "grade_level": "5",
    "duration_minutes": 3,
}


def identity_token(audience: str, impersonate: str) -> str:
    return subprocess.run(
        [
            "gcloud",
            "auth",
            "print-identity-token",
            f"--audiences={audience}",
            f"--impersonate-service-account={impersonate}",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base-url", help="local stack: functions served under one URL")
    parser.add_argument("--cloud", action="store_true")
    parser.add_argument("--submit-url")
    parser.add_argument("--status-url")
    parser.add_argument("--region", default="us-central1")
    parser.add_argument("--impersonate", help="service account allowed to invoke the functions")
    parser.add_argument("--timeout-s", type=float, default=900)
    parser.add_argument(
        "--api-key", default=os.environ.get("VIVIDLY_API_KEY"), help="default: $VIVIDLY_API_KEY"
    )
    args = parser.parse_args()
    if not args.api_key:
        parser.error("give --api-key or set VIVIDLY_API_KEY (`vividly keys create --org ORG --role service`)")
    key = {"X-API-Key": args.api_key}

    if args.cloud:
        if not (args.submit_url and args.status_url and args.impersonate):
            parser.error("--cloud needs --submit-url, --status-url and --impersonate")
        submit_url, status_url = args.submit_url, args.status_url
        submit_headers = {**key, "Authorization": f"Bearer {identity_token(submit_url, args.impersonate)}"}
        status_headers = {**key, "Authorization": f"Bearer {identity_token(status_url, args.impersonate)}"}
    elif args.base_url:
        submit_url = f"{args.base_url}/submit_content_request"
        status_url = f"{args.base_url}/get_request_status"
        submit_headers = status_headers = key
    else:
        parser.error("give --base-url or --cloud")

    submitted = httpx.post(submit_url, json=BODY, headers=submit_headers, timeout=30)
    if submitted.status_code != 202:
        print(f"FAIL submit answered {submitted.status_code}: {submitted.text[:300]}")
        return 1
    request_id = submitted.json()["request_id"]
    print(f"submitted {request_id}")
    if args.cloud:
        subprocess.run(
            ["gcloud", "run", "jobs", "execute", "vividly-worker", "--region", args.region, "--wait"],
            check=True,
        )

    deadline = time.monotonic() + args.timeout_s
    status: dict = {}
    while time.monotonic() < deadline:
        status = httpx.get(
            status_url, params={"request_id": request_id}, headers=status_headers, timeout=30
        ).json()
        print(f"  {status.get('status')} {status.get('progress')}% {status.get('stage_message')}")
        if status.get("status") in ("completed", "failed", "rejected", "clarification_needed", "cancelled"):
            break
        time.sleep(2)
    if status.get("status") != "completed":
        print(f"FAIL request ended {status.get('status')}: {status.get('error')}")
        return 1

    artifacts = {a["kind"]: a for a in status["artifacts"]}
    missing = {"video", "captions_vtt", "script", "thumbnail"} - set(artifacts)
    if missing:
        print(f"FAIL artifacts missing: {sorted(missing)}")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        video = Path(tmp) / "lesson.mp4"
        source = artifacts["video"]["url"]
        if source.startswith(("http://", "https://")):
            video.write_bytes(httpx.get(source, timeout=120).content)
        else:
            video = Path(source)
        info = probe(video)
    if not (info.has_video and info.has_audio and info.duration_s > 30):
        print(f"FAIL the video does not play as a lesson: {info}")
        return 1
    print(
        f"PASS {request_id}: {info.duration_s:.1f} s {info.width}x{info.height} {info.video_codec}/{info.audio_codec}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
