"""An S3-compatible object store for the tests: moto's server, in this process, on 127.0.0.1 at a free port.

In the process, not as a ``moto_server`` child, so that it reads the same (time-machine) clock as the code that
signs its URLs. Every test that asks for ``s3_storage`` gets a bucket of its own and the default storage pointed at
it, configured as the settings configure it from ``AWS_*`` variables.
"""

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

REGION = "us-east-1"
KEYS = {"aws_access_key_id": "stagewise-test", "aws_secret_access_key": "stagewise-test-secret"}
_buckets = itertools.count(1)


@dataclass(frozen=True)
class Bucket:
    endpoint: str
    name: str
    client: Any  # boto3's S3 client, against the same endpoint

    def keys(self, prefix: str = "") -> list[str]:
        listed = self.client.list_objects_v2(Bucket=self.name, Prefix=prefix)
        return [item["Key"] for item in listed.get("Contents", [])]


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3_storage(s3_endpoint, settings, worker_id) -> Bucket:
    """A fresh private bucket, and ``STORAGES["default"]`` on it as ``AWS_STORAGE_BUCKET_NAME`` & co. set it."""
    name = f"stagewise-{worker_id}-{next(_buckets)}".lower()
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name=REGION, **KEYS)
    client.create_bucket(Bucket=name)
    settings.AWS_QUERYSTRING_EXPIRE = 300
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": name,
                "endpoint_url": s3_endpoint,
                "region_name": REGION,
                "access_key": KEYS["aws_access_key_id"],
                "secret_key": KEYS["aws_secret_access_key"],
                "addressing_style": "path",
                "signature_version": "s3v4",
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": 300,
                "file_overwrite": False,
            },
        },
    }
    return Bucket(endpoint=s3_endpoint, name=name, client=client)
