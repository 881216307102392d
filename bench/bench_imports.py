"""An alumni import of 20,000 rows (CSV, Chinese names, half of them saying yes to marketing), through the real
services: the dry run (read, check, compare with the database) and the import (accounts, imported facts, consent,
alumni records, one transaction) as the Celery task runs it. Prints the seconds of each and rows per second.

    .venv/bin/python bench/bench_imports.py [--rows 20000]

Runs on a throwaway SQLite database in a temporary directory unless DATABASE_URL is set. Prints figures; asserts
nothing.
"""

import argparse
import csv
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚华玉萍红鹏飞俊峰晨曦思远子涵欣怡浩然雨桐梓萱一诺"


def sheet(rows: int) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["邮箱", "姓名", "语言", "时区", "完成阶段", "课程", "结营日期", "支付金额", "营销同意"])
    for i in range(rows):
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[i % len(GIVEN)] + GIVEN[(i // 7) % len(GIVEN)]
        consent = "是" if i % 2 else ""
        writer.writerow(
            [
                f"alumnus{i}@example.test",
                name,
                "中文",
                "Asia/Shanghai",
                1 + i % 3,
                "SQL 入门",
                "2025-06-30",
                "¥1,299",
                consent,
            ]
        )
    return buffer.getvalue().encode("gb18030")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args()
    var_dir = tempfile.mkdtemp(prefix="bench-imports-")
    os.environ.update({"DJANGO_SETTINGS_MODULE": "bench.settings", "STAGEWISE_VAR_DIR": var_dir})
    os.environ.setdefault("MEDIA_ROOT", str(Path(var_dir) / "media"))
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from accounts.models import User
    from alumni.imports import services

    marketer = User.objects.create_user(email="marketer@example.test", display_name="M", is_marketer=True)
    data = sheet(args.rows)
    print(f"{args.rows} rows, {len(data) / 1024 / 1024:.1f} MB (GB18030 CSV)")

    started = time.perf_counter()
    run = services.import_validate(actor=marketer, upload=SimpleUploadedFile("名单.csv", data), source="Bench export")
    dry = time.perf_counter() - started
    print(f"dry run: {dry:.1f} s ({args.rows / dry:,.0f} rows/s); would create {run.created}")

    services.import_start  # noqa: B018 - the task's path, without a broker:
    services._transition(run, "queued")
    started = time.perf_counter()
    services.import_run_execute(run_id=run.pk)
    took = time.perf_counter() - started
    run.refresh_from_db()
    print(f"import: {took:.1f} s ({args.rows / took:,.0f} rows/s); {run.status}, created {run.created}")

    started = time.perf_counter()
    again = services.import_validate(actor=marketer, upload=SimpleUploadedFile("名单.csv", data), source="Bench export")
    print(f"dry run of the same file again: {time.perf_counter() - started:.1f} s; unchanged {again.unchanged}")


if __name__ == "__main__":
    main()
