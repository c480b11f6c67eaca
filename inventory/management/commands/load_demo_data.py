"""Load demo suppliers, warehouses, bins, products and opening stock from the real data sets."""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from inventory import demo
from oms.barcodes import is_digits


def products_option(value: str) -> int | None:
    """Read --products: a positive whole number, or "all"."""
    if value.strip().lower() == "all":
        return None
    if not is_digits(value.strip()) or int(value) < 1:
        raise CommandError(
            f'--products must be a whole number of at least 1 or "all", not {value!r}.'
        )
    return int(value)


class Command(BaseCommand):
    help = (
        "Load demo data from Open Food Facts (grocery, real barcodes) and UCI Online Retail "
        "(giftware): suppliers, warehouses MAIN and NORTH with bins, products and opening "
        "stock. Running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--data-dir",
            help=(
                f"Folder holding {demo.OFF_FILE} and {demo.RETAIL_FILE}; default $OMS_DATA_DIR, "
                "else shared/data beside the project (the small samples in tests/data when "
                "that is missing)."
            ),
        )
        parser.add_argument(
            "--products",
            default=str(demo.DEFAULT_PRODUCTS),
            help=(
                "Products per data set: the first N usable Open Food Facts rows and the N most "
                f'ordered Online Retail stock codes (default {demo.DEFAULT_PRODUCTS}); "all" '
                "loads everything."
            ),
        )

    def handle(self, *args, **options):
        limit = products_option(options["products"])
        data_dir = self._data_dir(options["data_dir"])
        report = demo.load_demo_data(data_dir=data_dir, products=limit)
        self.stdout.write(demo.format_report(report))
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready: {report.products_created:,} new product(s).")
        )

    def _data_dir(self, given: str | None) -> Path:
        files = (demo.OFF_FILE, demo.RETAIL_FILE)
        if given:
            folder = Path(given)
        else:
            folder = demo.default_data_dir()
            from_env = bool(os.environ.get("OMS_DATA_DIR", "").strip())
            if not from_env and not any((folder / name).is_file() for name in files):
                sample = demo.sample_data_dir()
                self.stdout.write(
                    self.style.WARNING(
                        f"No data sets in {folder}; loading the small samples in {sample}."
                    )
                )
                folder = sample
        if not any((folder / name).is_file() for name in files):
            raise CommandError(
                f"Neither {files[0]} nor {files[1]} is in {folder}. "
                "Point --data-dir (or OMS_DATA_DIR) at the folder that holds them."
            )
        return folder
