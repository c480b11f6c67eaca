"""REST API v1 for inventory, one module per resource family.

``catalogue`` (products, warehouses, bins), ``stock`` (stock rows, receipts,
counts, adjustments, transfers, the ledger), ``purchasing`` (purchase
orders) and ``counts`` (counts waiting for a manager); ``base`` holds what
they share. ``inventory/api_urls.py`` registers them.
"""
