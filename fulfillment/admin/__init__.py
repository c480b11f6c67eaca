"""The warehouse floor in the Django admin: configuration for managers, operations for the floor.

Managers keep carriers, shipping services and package types
(``fulfillment.admin.config``); the floor works shipments, waves and the
scan log (``fulfillment.admin.operations``). Every write goes through
``fulfillment.services``, the calls the scan screens and the API make.
"""

from fulfillment.admin import config, operations  # noqa: F401  (registers the model admins)
