"""The admin of what oms owns: users and API tokens, the email outbox."""

from oms.admin import outbox, users  # noqa: F401  (registers the model admins)
