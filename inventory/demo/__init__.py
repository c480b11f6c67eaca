"""Load demo data from two public data sets: Open Food Facts and UCI Online Retail.

``sources`` reads the data sets (and counts what it skips and why);
``loading`` writes suppliers, warehouses, bins, products and opening stock,
the same on every run. ``manage.py load_demo_data`` calls ``load_demo_data``.
"""

from inventory.demo.loading import (
    DEFAULT_PRODUCTS,
    OPENING_REFERENCE,
    DemoReport,
    StockPlan,
    bin_layout,
    format_report,
    load_demo_data,
    stock_plan,
)
from inventory.demo.sources import (
    OFF_FILE,
    RETAIL_FILE,
    Candidate,
    SourceResult,
    default_data_dir,
    parse_customer_id,
    parse_weight_grams,
    read_online_retail,
    read_open_food_facts,
    sample_data_dir,
)

__all__ = [
    "DEFAULT_PRODUCTS",
    "OFF_FILE",
    "OPENING_REFERENCE",
    "RETAIL_FILE",
    "Candidate",
    "DemoReport",
    "SourceResult",
    "StockPlan",
    "bin_layout",
    "default_data_dir",
    "format_report",
    "load_demo_data",
    "parse_customer_id",
    "parse_weight_grams",
    "read_online_retail",
    "read_open_food_facts",
    "sample_data_dir",
    "stock_plan",
]
