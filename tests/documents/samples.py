"""Context dictionaries for the printed documents, as fulfillment.documents builds them."""

import datetime
from decimal import Decimal

COMPANY = {
    "name": "OMS Demo Ltd",
    "lines": ["Unit 4, Riverside Park", "LS10 1AB Leeds", "United Kingdom"],
    "email": "orders@oms.example",
    "phone": "+44 113 000 0000",
}


def address(**overrides) -> dict:
    data = {
        "name": "Annabelle Leigh-Worthington",
        "company": "Worthington & Sons Trading",
        "street": ["Flat 12, The Old Mill", "1 High Street"],
        "postal_code": "LS1 1AA",
        "city": "Leeds",
        "region": "West Yorkshire",
        "country": "United Kingdom",
        "phone": "+44 113 496 0000",
    }
    data.update(overrides)
    return data


def shipping_label(n: int = 1, **overrides) -> dict:
    data = {
        "sender": {"name": "OMS Demo Ltd", "lines": ["Main warehouse", "LS10 1AB Leeds", "GB"]},
        "recipient": address(),
        "carrier": "DPD",
        "service": "Next day",
        "weight": "1.25 kg",
        "parcel_number": 1,
        "parcel_count": 2,
        "tracking_number": f"1Z999AA1{n:010d}",
        "order_number": f"SO-{n:06d}",
        "shipment_number": f"SH-{n:06d}",
        "ship_date": datetime.date(2025, 3, 4),
    }
    data.update(overrides)
    return data


def packing_slip(**overrides) -> dict:
    data = {
        "company": COMPANY,
        "order_number": "SO-000123",
        "order_date": datetime.date(2025, 3, 1),
        "shipment_number": "SH-000045",
        "ship_date": datetime.date(2025, 3, 4),
        "shipping_address": address(),
        "billing_address": address(),
        "carrier": "DPD",
        "service": "Next day",
        "tracking_number": "1Z999AA10123456784",
        "parcel_count": 1,
        "lines": [
            {"sku": "MUG-RED", "name": "Red mug", "ordered": 3, "quantity": 2, "to_follow": 1},
            {"sku": "MUG-BLUE", "name": "Blue mug", "ordered": 1, "quantity": 1, "to_follow": 0},
        ],
        "total_quantity": 3,
        "return_instructions": "Return unused items within 30 days with this slip.",
    }
    data.update(overrides)
    return data


def pick_list(**overrides) -> dict:
    split = [
        {"tote": 1, "order_number": "SO-000100", "quantity": 2},
        {"tote": 2, "order_number": "SO-000101", "quantity": 1},
    ]
    data = {
        "company": COMPANY,
        "wave": {"number": "WV-000012", "created_at": datetime.datetime(2025, 3, 4, 9, 30)},
        "totes": [
            {
                "tote": 1,
                "order_number": "SO-000100",
                "shipment_number": "SH-000200",
                "customer": "Ann Lee",
                "ship_with": "DPD Next day",
                "vip": False,
            },
            {
                "tote": 2,
                "order_number": "SO-000101",
                "shipment_number": "SH-000201",
                "customer": "Bob Ray",
                "ship_with": "DPD Next day",
                "vip": True,
            },
        ],
        "stops": [
            {
                "bin_code": "A-01-01",
                "bin_barcode": "BIN-MAIN-A-01-01",
                "lines": [
                    {
                        "sku": "MUG-RED",
                        "name": "Red mug",
                        "barcode": "4006381333931",
                        "quantity": 3,
                        "split": split,
                    },
                ],
            },
            {
                "bin_code": "A-01-02",
                "bin_barcode": "BIN-MAIN-A-01-02",
                "lines": [
                    {
                        "sku": "CAP-UPC",
                        "name": "Cap",
                        "barcode": "036000291452",
                        "quantity": 3,
                        "split": split,
                    },
                    {
                        "sku": "PEN-8",
                        "name": "Pen",
                        "barcode": "96385074",
                        "quantity": 3,
                        "split": split,
                    },
                ],
            },
        ],
        "totals": {"orders": 2, "stops": 2, "units": 9},
        "commands": [{"code": "CMD-SHORT", "label": "Short pick"}],
    }
    data.update(overrides)
    return data


def invoice(**overrides) -> dict:
    data = {
        "company": COMPANY,
        "invoice_number": "INV-SO-000123",
        "invoice_date": datetime.date(2025, 3, 4),
        "order_number": "SO-000123",
        "order_date": datetime.date(2025, 3, 1),
        "billing_address": address(),
        "shipping_address": address(),
        "payment_status": "partly_paid",
        "payment_status_label": "Partly paid",
        "lines": [
            {
                "sku": "MUG-RED",
                "name": "Red mug",
                "quantity": 2,
                "unit_price": Decimal("9.90"),
                "total": Decimal("19.80"),
            },
        ],
        "payments": [],
        "subtotal": Decimal("19.80"),
        "shipping_price": Decimal("4.95"),
        "total": Decimal("24.75"),
        "paid": Decimal("10.00"),
        "balance": Decimal("14.75"),
        "currency": "GBP",
        "tax_note": "No VAT is charged on this invoice.",
    }
    data.update(overrides)
    return data
