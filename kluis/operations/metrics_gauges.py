"""The operations app's own scrape-time gauges (kluis/operations/metrics.py
`register_gauge`): the free space where Kluis keeps its data."""

from __future__ import annotations

import shutil

from django.conf import settings

from kluis.operations.metrics import register_gauge


def data_dir_free_bytes() -> float:
    return float(shutil.disk_usage(settings.DATA_DIR).free)


def register() -> None:
    register_gauge(
        "kluis_data_dir_free_bytes",
        "Free space on the file system of the data directory (KLUIS_DATA_DIR).",
        data_dir_free_bytes,
    )
