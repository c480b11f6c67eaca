"""Tables that only grow: the stock ledger and the scan logs add rows, never change or delete one.

One queryset and one abstract model serve every such table: a bulk
``update()`` or ``delete()`` is refused, and so is saving a row that
exists or deleting one. A correction is a new row (a reversing movement,
an undo scan that names the scan it undoes). ``create`` and
``bulk_create`` add rows as usual.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models


def _refusal(model: type[models.Model], what: str) -> str:
    name = getattr(model, "append_only_name", "This table")
    return f"{name} cannot be {what}: rows are only ever added."


class AppendOnlyQuerySet(models.QuerySet):
    """Refuse bulk edits and deletes: the table only grows."""

    def update(self, **kwargs):
        raise ValidationError(_refusal(self.model, "changed"))

    def delete(self):
        raise ValidationError(_refusal(self.model, "deleted"))

    update.queryset_only = True
    delete.queryset_only = True


class AppendOnlyModel(models.Model):
    """Abstract base of a table that only grows: rows are inserted, then never touched.

    ``append_only_name`` names the table in the refusal ("The stock ledger
    cannot be changed ...").
    """

    append_only_name = "This table"

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding and not kwargs.get("force_insert"):
            raise ValidationError(_refusal(type(self), "changed"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_refusal(type(self), "deleted"))
