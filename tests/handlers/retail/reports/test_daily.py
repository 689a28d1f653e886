"""The daily report on moto: both files with their contents, content types and encryption, one notification per run,
re-runs overwrite; the presigned links point at the files (and fetching one in moto returns the CSV); the module
handlers wired from the environment."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from handlers.retail.catalog.store import MIGRATIONS
from handlers.retail.reports import api, daily
from handlers.shared.db import Database
from handlers.shared.migrate import apply_service_migrations
from tests.events import http_request
from tests.handlers.retail.catalog.helpers import ADMIN
from tests.handlers.retail.reports.conftest import BUCKET, Cloud, call_app, seed

CSV_KEY, JSON_KEY = "daily/2026-03-10/report.csv", "daily/2026-03-10/report.json"
CSV_10TH = (
    "product_id,sku,name,sales,units,total\r\n"
    "p-bag,BAG-1,Bag,1,1,30.00\r\n"
    "p-hat,HAT-1,Hat,1,1,15.00\r\n"
    "p-pen,PEN-1,Pen,1,10,9.90\r\n"
    "p-key,KEY-1,Keyring,1,1,2.00\r\n"
)


def read(cloud: Cloud, key: str) -> tuple[str, dict[str, Any]]:
    got = cloud.s3.get_object(Bucket=BUCKET, Key=key)
    return got["Body"].read().decode(), got


def test_the_daily_run_writes_both_files_and_notifies_once(seeded: Database, cloud: Cloud) -> None:
    result = cloud.reports(seeded).publish_daily({"schedule": "daily-report"})
    assert (result["date"], result["sales"], result["total"]) == ("2026-03-10", 1, "62.59")  # the voided sale is out
    assert (result["csv_key"], result["json_key"]) == (CSV_KEY, JSON_KEY)

    text, got = read(cloud, CSV_KEY)
    assert text == CSV_10TH
    assert got["ContentType"] == "text/csv; charset=utf-8" and got["ServerSideEncryption"] == "AES256"
    assert list(csv.DictReader(io.StringIO(text)))[2]["units"] == "10"

    text, got = read(cloud, JSON_KEY)
    assert got["ContentType"] == "application/json" and got["ServerSideEncryption"] == "AES256"
    report = json.loads(text)
    assert (report["date"], report["from"], report["to"], report["group_by"]) == (
        "2026-03-10", "2026-03-10", "2026-03-10", "product")  # fmt: skip
    assert report["generated_at"] == "2026-03-11T06:00:00.000+00:00"
    assert report["totals"] == {"sales": 1, "units": 13, "subtotal": "56.90", "tax": "5.69", "total": "62.59"}
    assert [p["sku"] for p in report["top_products"]] == ["PEN-1", "BAG-1", "HAT-1", "KEY-1"]

    notes = cloud.notifications()
    assert len(notes) == 1
    assert notes[0]["Message"] == "Daily report for 2026-03-10 is ready: 1 sale, total 62.59"
    assert notes[0]["Subject"] == "Daily report for 2026-03-10"


def test_a_given_day_and_a_rerun_overwrite_the_same_keys(seeded: Database, cloud: Cloud) -> None:
    event = {"schedule": "daily-report", "date": "2026-03-09"}
    first = cloud.reports(seeded).publish_daily(event)
    again = cloud.reports(seeded).publish_daily(event)
    assert first["csv_key"] == again["csv_key"] == "daily/2026-03-09/report.csv"
    keys = [o["Key"] for o in cloud.s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert keys == ["daily/2026-03-09/report.csv", "daily/2026-03-09/report.json"]
    messages = [n["Message"] for n in cloud.notifications()]
    assert messages == ["Daily report for 2026-03-09 is ready: 2 sales, total 38.75"] * 2


def test_a_bad_date_in_the_event_fails_the_run(seeded: Database, cloud: Cloud) -> None:
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        cloud.reports(seeded).publish_daily({"date": "10/03/2026"})
    assert "Contents" not in cloud.s3.list_objects_v2(Bucket=BUCKET)


def test_presigned_links_point_at_the_files(seeded: Database, cloud: Cloud) -> None:
    reports = cloud.reports(seeded)
    app = api.router.app(reports)
    route, path = "GET /reports/daily/{date}", "/reports/daily/2026-03-10"
    status, error = call_app(app, route, ADMIN, path=path, params={"date": "2026-03-10"})
    assert status == 404, error  # not generated yet
    reports.publish_daily({})
    status, body = call_app(app, route, ADMIN, path=path, params={"date": "2026-03-10"})
    assert status == 200, body
    assert body["expires_in"] == 900
    for url, key in ((body["csv_url"], CSV_KEY), (body["json_url"], JSON_KEY)):
        parts = urlsplit(url)
        assert parts.path.endswith(f"/{key}") and BUCKET in f"{parts.netloc}{parts.path}"
        assert "X-Amz-Expires=900" in parts.query and "X-Amz-Signature=" in parts.query
    fetched = requests.get(body["csv_url"], timeout=5)
    assert fetched.status_code == 200 and fetched.text == CSV_10TH


def test_the_handlers_wire_from_the_environment(cloud: Cloud, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    db = Database.from_url(f"sqlite:///{tmp_path}/test.db")
    apply_service_migrations(db, MIGRATIONS)
    seed(db)
    db.close()
    env = {"SYSTEM_NAME": "retail", "SERVICE_NAME": "reports", "DATABASE_URL": f"sqlite:///{tmp_path}/test.db",
           "BUCKET_REPORTS": BUCKET, "TOPIC_REPORTS_ARN": cloud.topic_arn}  # fmt: skip
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    daily.default_use_cases.cache_clear()
    api.router.reset()
    try:
        result = daily.handler({"schedule": "daily-report", "date": "2026-03-10"}, None)
        assert (result["sales"], result["total"]) == (1, "62.59")
        assert len(cloud.notifications()) == 1
        event = http_request("GET /reports/daily/{date}", path="/reports/daily/2026-03-10",
                             path_parameters={"date": "2026-03-10"}, claims=ADMIN)  # fmt: skip
        response = api.handler(event, None)
        url = json.loads(response["body"])["csv_url"]
        assert response["statusCode"] == 200 and CSV_KEY in url and "X-Amz-Expires=900" in url
    finally:
        daily.default_use_cases.cache_clear()
        api.router.reset()


class DeniedS3:
    """``head_object`` as S3 answers a role without ``s3:ListBucket`` (403 for a missing key), or a real failure."""

    def __init__(self, code: str) -> None:
        self.code = code

    def head_object(self, **_: Any) -> None:
        from botocore.exceptions import ClientError

        raise ClientError({"Error": {"Code": self.code, "Message": "no"}}, "HeadObject")


def test_a_403_on_head_is_a_missing_report_and_other_errors_raise() -> None:
    from datetime import date

    from botocore.exceptions import ClientError

    from handlers.retail.reports.files import ReportFiles

    assert ReportFiles(DeniedS3("403"), BUCKET).exists(date(2026, 3, 10)) is False
    with pytest.raises(ClientError):
        ReportFiles(DeniedS3("SlowDown"), BUCKET).exists(date(2026, 3, 10))
