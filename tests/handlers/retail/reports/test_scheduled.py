"""The automatic reports on moto: what the hourly run writes (each kind's latest period that is over, once), both
files with their contents, content types and encryption, one notice per report in the store's language, the store's
days; the presigned links point at the files (and fetching one in moto returns the CSV); the handlers wired from the
environment."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from pydantic import ValidationError

from handlers.retail.catalog.store import MIGRATIONS
from handlers.retail.reports import api, scheduled
from handlers.retail.reports.periods import Kind, containing
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


def test_the_hourly_run_writes_each_kinds_latest_period_once(seeded: Database, cloud: Cloud) -> None:
    runs = cloud.reports(seeded).scheduled({"schedule": "reports"})
    assert [(r["kind"], r["period"], r["sales"]) for r in runs] == [
        ("daily", "2026-03-10", 1), ("weekly", "2026-W10", 1), ("monthly", "2026-02", 0)]  # fmt: skip
    assert (runs[0]["csv_key"], runs[0]["json_key"], runs[0]["total"]) == (CSV_KEY, JSON_KEY, "62.59")
    assert len(cloud.notifications()) == 3
    assert cloud.reports(seeded).scheduled({"schedule": "reports"}) == [], "written already: the next hour does nothing"
    assert cloud.notifications() == []


def test_the_files_and_the_notice(seeded: Database, cloud: Cloud) -> None:
    cloud.reports(seeded, app_url="https://tienda.example.pe").scheduled({"kind": "daily", "period": "2026-03-10"})
    text, got = read(cloud, CSV_KEY)
    assert text == CSV_10TH
    assert got["ContentType"] == "text/csv; charset=utf-8" and got["ServerSideEncryption"] == "AES256"
    assert list(csv.DictReader(io.StringIO(text)))[2]["units"] == "10"

    text, got = read(cloud, JSON_KEY)
    assert got["ContentType"] == "application/json" and got["ServerSideEncryption"] == "AES256"
    report = json.loads(text)
    assert (report["kind"], report["period"], report["from"], report["to"], report["group_by"]) == (
        "daily", "2026-03-10", "2026-03-10", "2026-03-10", "product")  # fmt: skip
    assert (report["store_name"], report["currency"], report["generated_at"]) == (
        "Corner Shop", "PEN", "2026-03-11T06:00:00.000+00:00")  # fmt: skip
    assert report["totals"] == {"sales": 1, "units": 13, "subtotal": "56.90", "tax": "5.69", "total": "62.59"}
    assert [p["sku"] for p in report["top_products"]] == ["PEN-1", "BAG-1", "HAT-1", "KEY-1"]

    (note,) = cloud.notifications()
    assert note["Subject"] == "Corner Shop: daily report for March 10, 2026"
    assert note["Message"] == ("The daily report for March 10, 2026 is ready: 1 sale(s), total PEN 62.59.\n"
                               "See and download it in the store's app: "
                               "https://tienda.example.pe/#reports/daily/2026-03-10")  # fmt: skip


def test_the_notice_is_in_the_stores_language_and_counts_its_days(seeded: Database, cloud: Cloud) -> None:
    """In Lima (UTC-5) the 10th runs from 05:00 UTC on the 10th to 05:00 on the 11th: s-5 (00:00 UTC on the 11th)
    is the 10th's; s-2 (23:59 UTC on the 9th) is the 9th's either way."""
    (run,) = cloud.reports(seeded, zone="America/Lima", language="es-PE").scheduled(
        {"kind": "daily", "period": "2026-03-10"})  # fmt: skip
    assert (run["sales"], run["total"]) == (2, "76.34")
    (note,) = cloud.notifications()
    assert note["Subject"] == "Corner Shop: reporte diario del 10 de marzo de 2026"
    assert note["Message"] == "El reporte diario del 10 de marzo de 2026 está listo: 2 venta(s), total S/ 76.34."
    cloud.reports(seeded, language="es-PE").scheduled({"kind": "weekly", "period": "2026-W11"})
    (note,) = cloud.notifications()
    assert "de la semana del 9 de marzo de 2026 al 15 de marzo de 2026" in note["Subject"]


def test_a_given_period_and_a_rerun_overwrite_the_same_keys(seeded: Database, cloud: Cloud) -> None:
    event = {"kind": "daily", "period": "2026-03-09"}
    (first,) = cloud.reports(seeded).scheduled(event)
    (again,) = cloud.reports(seeded).scheduled(event)
    assert first["csv_key"] == again["csv_key"] == "daily/2026-03-09/report.csv"
    keys = [o["Key"] for o in cloud.s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert keys == ["daily/2026-03-09/report.csv", "daily/2026-03-09/report.json"]
    assert len(cloud.notifications()) == 2


def test_a_bad_period_in_the_event_fails_the_run(seeded: Database, cloud: Cloud) -> None:
    with pytest.raises(ValidationError, match="YYYY-MM-DD"):
        cloud.reports(seeded).scheduled({"kind": "daily", "period": "10/03/2026"})
    assert "Contents" not in cloud.s3.list_objects_v2(Bucket=BUCKET)


def test_an_admin_generates_a_report_and_downloads_it(seeded: Database, cloud: Cloud) -> None:
    reports = cloud.reports(seeded)
    app = api.router.app(reports)
    route, path, params = (
        "GET /reports/{kind}/{period}",
        "/reports/daily/2026-03-10",
        {"kind": "daily", "period": "2026-03-10"},
    )
    status, error = call_app(app, route, ADMIN, path=path, params=params)
    assert status == 404, error  # not generated yet
    status, body = call_app(app, "PUT /reports/{kind}/{period}", ADMIN, path=path, params=params)
    assert status == 200, body
    links = {"csv_url": body["csv_url"], "json_url": body["json_url"]}
    assert body == call_app(app, route, ADMIN, path=path, params=params)[1] | links
    assert body["expires_in"] == 900 and cloud.notifications() == [], "the admin has the links: no email"
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
           "BUCKET_REPORTS": BUCKET, "TOPIC_REPORTS_ARN": cloud.topic_arn,
           "CONFIG_STORE": '{"name":"Market Carmensita","timeZone":"UTC"}'}  # fmt: skip
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    scheduled.default_use_cases.cache_clear()
    api.router.reset()
    try:
        result = scheduled.handler({"kind": "daily", "period": "2026-03-10"}, None)
        assert [(r["sales"], r["total"]) for r in result["runs"]] == [(1, "62.59")]
        (note,) = cloud.notifications()
        assert note["Subject"] == "Market Carmensita: reporte diario del 10 de marzo de 2026", "the stack's defaults"
        event = http_request("GET /reports/{kind}/{period}", path="/reports/daily/2026-03-10",
                             path_parameters={"kind": "daily", "period": "2026-03-10"}, claims=ADMIN)  # fmt: skip
        response = api.handler(event, None)
        url = json.loads(response["body"])["csv_url"]
        assert response["statusCode"] == 200 and CSV_KEY in url and "X-Amz-Expires=900" in url
    finally:
        scheduled.default_use_cases.cache_clear()
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

    period = containing(Kind.DAILY, date(2026, 3, 10))
    assert ReportFiles(DeniedS3("403"), BUCKET).exists(period) is False
    with pytest.raises(ClientError):
        ReportFiles(DeniedS3("SlowDown"), BUCKET).exists(period)
