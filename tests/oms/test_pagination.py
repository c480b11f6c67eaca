"""Pages by primary key: the page's rows with their figures, in the list's order, at any depth."""

from django.db.models import Count, Value

from oms.pagination import paginate_by_key
from orders.models import Order
from tests.factories import CustomerFactory


def test_a_page_holds_its_rows_in_the_lists_order_with_their_annotations(
    db, django_assert_max_num_queries
):
    # given 7 orders
    customer = CustomerFactory()
    made = [Order.objects.create(customer=customer, notes=str(n)) for n in range(7)]
    listed = Order.objects.annotate(tag=Value("x")).order_by("-pk")
    # when
    with django_assert_max_num_queries(3):
        second = paginate_by_key(listed, "2", 3)
        rows = list(second.object_list)
    # then
    assert [order.pk for order in rows] == [made[3].pk, made[2].pk, made[1].pk]
    assert {order.tag for order in rows} == {"x"}
    assert (second.number, second.paginator.count, second.paginator.num_pages) == (2, 7, 3)


def test_a_bad_or_far_page_number_gives_the_first_or_the_last_page(db):
    # given
    customer = CustomerFactory()
    made = [Order.objects.create(customer=customer) for _ in range(4)]
    listed = Order.objects.annotate(line_total=Count("lines")).order_by("pk")
    # when / then
    assert [o.pk for o in paginate_by_key(listed, "abc", 3).object_list] == [o.pk for o in made[:3]]
    assert [o.pk for o in paginate_by_key(listed, "99", 3).object_list] == [made[3].pk]
    assert list(paginate_by_key(Order.objects.none(), "1", 3).object_list) == []
