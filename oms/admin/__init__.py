"""The admin of what oms owns: users and API tokens, the email outbox, tax classes and rates."""

from oms.admin import outbox, tax, users  # noqa: F401  (registers the model admins)
