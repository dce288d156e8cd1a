"""Attachments in S3-compatible object storage (django-storages), against a local S3 server
(moto in server mode, on a free loopback port): stored, downloaded, and removed again when
the change fails. Also the settings that choose it from the environment."""

import json
import os
import socket
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from tickets import publishing, services
from tickets.attachments import files_removed_on_failure, orphans_delete
from tickets.models import Attachment

from .api_helpers import ticket_url
from .attachment_helpers import PNG, incoming, upload
from .factories import TEST_ACTOR, make_ticket

pytestmark = pytest.mark.django_db

BUCKET = "fx-attachments"
KEYS = {"access_key": "testing-key", "secret_key": "testing-secret"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings):
    """A fresh bucket, and the attachments' storage pointed at it as settings.py does."""
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id=KEYS["access_key"],
        aws_secret_access_key=KEYS["secret_key"],
    )
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                **KEYS,
                "location": "attachments",
                "default_acl": "private",
                "file_overwrite": False,
            },
        },
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def keys(client) -> list[str]:
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_an_upload_is_stored_in_the_bucket_and_downloads_from_it(staff_client, bucket):
    ticket = make_ticket()

    response = staff_client.post(
        ticket_url(ticket, "comments"),
        {"comment": "Screenshot", "files": [upload("shot.png", PNG, "image/png")]},
        format="multipart",
    )

    assert response.status_code == 201, response.content
    (stored,) = Attachment.objects.all()
    assert keys(bucket) == [f"attachments/{stored.storage_name}"]
    download = staff_client.get(response.json()["attachments"][0]["url"])
    assert b"".join(download.streaming_content) == PNG
    assert download["Content-Disposition"].startswith("inline;")
    assert download["Content-Length"] == str(len(PNG))


def test_a_failed_change_leaves_no_object_behind(bucket):
    ticket = make_ticket()

    class AbandonedError(Exception):
        pass

    with pytest.raises(AbandonedError), files_removed_on_failure(), publishing.atomic():
        services.comment_add(
            ticket_id=ticket.pk,
            body="Two files",
            is_internal=False,
            author="Al",
            actor=TEST_ACTOR,
            files=[incoming("a.txt"), incoming("b.txt")],
        )
        assert len(keys(bucket)) == 2
        raise AbandonedError

    assert not Attachment.objects.exists()
    assert keys(bucket) == []


def settings_with(env: dict[str, str]) -> dict:
    code = (
        "import django, json; from django.conf import settings; django.setup(); "
        "print(json.dumps(settings.STORAGES['attachments'], default=str))"
    )
    base = {key: value for key, value in os.environ.items() if not key.startswith("ATTACHMENTS_")}
    run = subprocess.run(
        [sys.executable, "-c", code],
        env={**base, "DJANGO_SETTINGS_MODULE": "fractionax_support.settings", "DEBUG": "true", **env},
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(run.stdout)


def test_the_environment_chooses_the_storage(tmp_path):
    local = settings_with({"VAR_DIR": str(tmp_path)})
    assert local == {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "attachments"), "base_url": None},
    }
    s3 = settings_with(
        {
            "ATTACHMENTS_S3_BUCKET": "b",
            "ATTACHMENTS_S3_ENDPOINT_URL": "https://s3.example",
            "ATTACHMENTS_S3_REGION": "eu-west-1",
            "ATTACHMENTS_S3_ACCESS_KEY_ID": "k",
            "ATTACHMENTS_S3_SECRET_ACCESS_KEY": "s",
        }
    )
    assert s3["BACKEND"] == "storages.backends.s3.S3Storage"
    assert {key: s3["OPTIONS"][key] for key in ("bucket_name", "endpoint_url", "region_name", "access_key")} == {
        "bucket_name": "b",
        "endpoint_url": "https://s3.example",
        "region_name": "eu-west-1",
        "access_key": "k",
    }
    assert (s3["OPTIONS"]["default_acl"], s3["OPTIONS"]["file_overwrite"]) == ("private", False)


def test_the_sweep_walks_the_bucket(bucket):
    make_ticket(files=[incoming("kept.txt")])
    kept = Attachment.objects.get().storage_name
    bucket.put_object(Bucket=BUCKET, Key="attachments/2020/01/02/abandoned", Body=b"orphan")

    assert orphans_delete(older_than=timedelta(0)) == ["2020/01/02/abandoned"]
    assert keys(bucket) == [f"attachments/{kept}"]
