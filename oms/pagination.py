"""Pages of long lists whose rows carry costly per-row figures.

Django's Paginator runs the list's query with OFFSET: the database still
works out every skipped row's figures (a backorder flag, a line count) to
throw them away, so page 200 of the order history costs 200 times page 1.
``paginate_by_key`` first pages through the primary keys alone, in the
list's order (an index scan), then reads the full rows of that one page.
"""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet


def paginate_by_key(queryset: QuerySet, page_number, per_page: int) -> Page:
    """Return the page ``page_number`` (any text; a bad one is the first or the last page)."""
    keys = queryset.values_list("pk", flat=True)
    page = Paginator(keys, per_page).get_page(page_number)
    wanted = list(page.object_list)
    rows = queryset.filter(pk__in=wanted).in_bulk() if wanted else {}
    page.object_list = [rows[pk] for pk in wanted if pk in rows]
    return page
