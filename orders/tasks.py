"""Background work for orders, run through Django's tasks API."""

from django_tasks import task


@task()
def allocate_backorders_task(product_ids: list[int]) -> list[str]:
    """Serve backordered lines of these products from newly available stock."""
    from orders.services import allocate_backorders

    return [order.number for order in allocate_backorders(product_ids=product_ids)]


def on_stock_available(sender, product_ids, **kwargs):
    """Queue backorder allocation when inventory reports free stock."""
    allocate_backorders_task.enqueue(list(product_ids))
