"""The shapes the inventory API reads and writes, one module per resource family.

Input serializers check shape only (types, required fields, lengths of
columns); every business rule (SKU and barcode rules, quantities, stock
limits) is the services' job, so the API and the staff pages refuse the
same things with the same words.
"""
