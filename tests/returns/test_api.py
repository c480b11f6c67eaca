"""The returns and refunds API (SPEC 7): the same services, refusals as JSON that change nothing."""

from decimal import Decimal

import pytest

from inventory.models import StockLevel
from returns import services
from returns.models import CreditNote, Refund, Return
from tests.factories import LocationFactory, WarehouseFactory
from tests.returns.conftest import red_line


def post(api, url, body, **extra):
    return api.post(url, body, format="json", **extra)


def opened(api, order, quantity=1, sku="MUG-RED", **extra):
    return post(
        api,
        "/api/v1/returns/",
        {"order": order.pk, "lines": [{"sku": sku, "quantity": quantity, "reason": "damaged"}]},
        **extra,
    )


def test_the_whole_path_through_the_api(
    api_as, paid_order, sales_user, warehouse_user, manager_user, bin_a
):
    # given: 2 red mugs and a blue one shipped and paid (31.80)
    api = api_as(sales_user)
    # when: a rep opens and authorizes a return of one red mug
    created = opened(api, paid_order)
    assert created.status_code == 201, created.json()
    rma = created.json()
    assert (rma["number"], rma["status"]) == (f"RMA-{rma['id']:06d}", "requested")
    assert rma["lines"][0]["quantity_requested"] == 1 and rma["lines"][0]["reason"] == "damaged"
    authorized = post(api, f"/api/v1/returns/{rma['id']}/authorize/", {})
    assert authorized.status_code == 200 and authorized.json()["status"] == "authorized"
    # the warehouse receives it and restocks it into A-01-01
    api = api_as(warehouse_user)
    received = post(
        api, f"/api/v1/returns/{rma['id']}/receive/", {"lines": [{"sku": "mug-red", "quantity": 1}]}
    )
    assert received.status_code == 200, received.json()
    assert received.json()["status"] == "received"
    on_hand_before = StockLevel.objects.get(location=bin_a, product__sku="MUG-RED").on_hand
    inspected = post(
        api,
        f"/api/v1/returns/{rma['id']}/inspect/",
        {
            "lines": [
                {"sku": "MUG-RED", "quantity": 1, "disposition": "restock", "location": "a-01-01"}
            ]
        },
    )
    assert inspected.status_code == 200, inspected.json()
    body = inspected.json()
    assert body["status"] == "inspected"
    assert body["lines"][0]["dispositions"][0]["location"] == "A-01-01"
    assert StockLevel.objects.get(location=bin_a, product__sku="MUG-RED").on_hand == (
        on_hand_before + 1
    )
    # a rep asks for the refund by SKU, a manager approves and pays it
    api = api_as(sales_user)
    asked = post(
        api,
        "/api/v1/refunds/",
        {
            "order": paid_order.pk,
            "return": rma["id"],
            "lines": [{"sku": "MUG-RED", "quantity": 1}],
            "reason": "damaged",
        },
    )
    assert asked.status_code == 201, asked.json()
    refund = asked.json()
    assert (refund["status"], refund["amount"], refund["return"]["number"]) == (
        "pending",
        "9.90",
        rma["number"],
    )
    api = api_as(manager_user)
    approved = post(api, f"/api/v1/refunds/{refund['id']}/approve/", {})
    paid = post(api, f"/api/v1/refunds/{refund['id']}/pay/", {"reference": "re_1"})
    # then
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert paid.status_code == 200, paid.json()
    note = paid.json()["credit_note"]
    assert paid.json()["status"] == "paid" and paid.json()["provider_reference"] == "re_1"
    assert note["number"].startswith("CN-") and note["gross"] == "9.90"
    api.force_login(manager_user)  # the credit note's PDF is a staff page
    pdf = api.get(note["pdf"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert api.get(f"/api/v1/returns/{rma['id']}/").json()["status"] == "closed"
    order = api.get(f"/api/v1/orders/{paid_order.pk}/").json()
    assert {line["sku"]: line["quantity_returned"] for line in order["lines"]} == {
        "MUG-RED": 1,
        "MUG-BLUE": 0,
    }
    listed = api.get("/api/v1/returns/", {"status": "closed", "order": paid_order.pk}).json()
    assert [row["number"] for row in listed["results"]] == [rma["number"]]
    refunds = api.get("/api/v1/refunds/", {"return": rma["id"]}).json()
    assert [row["number"] for row in refunds["results"]] == [refund["number"]]


def test_returning_more_than_shipped_is_refused_and_writes_nothing(
    api_as, paid_order, sales_user, unchanged
):
    # given
    api = api_as(sales_user)
    before = unchanged()
    # when
    answer = opened(api, paid_order, quantity=3)
    # then
    assert answer.status_code == 409
    assert answer.json()["detail"] == "Only 2 × MUG-RED can be returned: 2 shipped."
    assert unchanged() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"lines": [{"sku": "MUG-RED", "quantity": 1, "reason": "damaged"}]}, "order"),
        ({"order": 1, "lines": []}, "lines"),
        (
            {"order": 1, "lines": [{"sku": "MUG-RED", "quantity": 0, "reason": "x"}]},
            "lines[0].quantity",
        ),
        ({"order": "abc", "lines": [{"sku": "A", "quantity": 1, "reason": "x"}]}, "order"),
        ({"order": 2**64, "lines": [{"sku": "A", "quantity": 1, "reason": "x"}]}, "order"),
        ({"order": 1, "lines": [{"sku": "A" * 65, "quantity": 1, "reason": "x"}]}, "lines[0].sku"),
    ],
)
def test_bad_shapes_are_refused_per_field(api_as, paid_order, sales_user, unchanged, body, field):
    api = api_as(sales_user)
    before = unchanged()
    answer = post(api, "/api/v1/returns/", body)
    assert answer.status_code == 400, answer.json()
    assert field in answer.json()["errors"]
    assert unchanged() == before


def test_business_refusals_answer_in_plain_words_and_change_nothing(
    api_as, paid_order, sales_user, warehouse_user, manager_user, unchanged
):
    # given: a requested return of one red mug
    rma = services.return_create(
        order_id=paid_order.pk,
        user=sales_user,
        lines=[{"order_line": red_line(paid_order).pk, "quantity": 1, "reason": "damaged"}],
    )
    before = unchanged()
    api = api_as(sales_user)
    # when / then
    note = post(
        api,
        "/api/v1/returns/",
        {"order": paid_order.pk, "lines": [{"sku": "MUG-BLUE", "quantity": 1, "reason": "other"}]},
    )
    assert note.status_code == 400 and "needs a note" in note.json()["detail"]
    unknown_reason = post(
        api,
        "/api/v1/returns/",
        {"order": paid_order.pk, "lines": [{"sku": "MUG-BLUE", "quantity": 1, "reason": "meh"}]},
    )
    assert unknown_reason.status_code == 400
    assert unknown_reason.json()["errors"] == {"lines[0].reason": [unknown_reason.json()["detail"]]}
    assert post(api, "/api/v1/returns/999999/authorize/", {}).status_code == 404
    assert post(api, "/api/v1/returns/abc/authorize/", {}).status_code == 404
    assert post(api, f"/api/v1/returns/{rma.pk}/reject/", {}).status_code == 400
    api = api_as(warehouse_user)
    early = post(api, f"/api/v1/returns/{rma.pk}/receive/", {"lines": [{"sku": "MUG-RED"}]})
    assert early.status_code == 409 and "not been authorized" in early.json()["detail"]
    api = api_as(sales_user)
    refund_too_much = post(
        api,
        "/api/v1/refunds/",
        {"order": paid_order.pk, "return": rma.pk, "amount": "31.81", "reason": "x"},
    )
    assert refund_too_much.status_code == 409  # a requested return takes no refund yet
    goodwill = post(
        api, "/api/v1/refunds/", {"order": paid_order.pk, "amount": "1.00", "reason": "sorry"}
    )
    assert goodwill.status_code == 403 and "Only managers" in goodwill.json()["detail"]
    api = api_as(manager_user)
    over = post(
        api, "/api/v1/refunds/", {"order": paid_order.pk, "amount": "31.81", "reason": "sorry"}
    )
    assert over.status_code == 409
    assert over.json()["detail"] == (
        f"At most 31.80 GBP can be refunded on order {paid_order}: 31.80 paid, "
        "0.00 already refunded or waiting."
    )
    assert unchanged() == before


def test_receiving_and_inspecting_refuse_wrong_items_and_bins(
    api_as, paid_order, sales_user, warehouse_user, bin_a, unchanged
):
    # given: an authorized return of one red mug
    rma = services.return_create(
        order_id=paid_order.pk,
        user=sales_user,
        lines=[{"order_line": red_line(paid_order).pk, "quantity": 1, "reason": "damaged"}],
    )
    services.return_authorize(return_id=rma.pk, user=sales_user)
    api = api_as(warehouse_user)
    before = unchanged()
    url = f"/api/v1/returns/{rma.pk}/"
    # when: an item not on the return, one too many (all or nothing), inspecting too early
    wrong = post(api, url + "receive/", {"lines": [{"sku": "MUG-BLUE", "quantity": 1}]})
    too_many = post(
        api,
        url + "receive/",
        {"lines": [{"sku": "MUG-RED", "quantity": 1}, {"sku": "MUG-RED", "quantity": 1}]},
    )
    early = post(api, url + "inspect/", {"lines": [{"sku": "MUG-RED", "disposition": "scrap"}]})
    # then
    assert (
        wrong.status_code == 400 and wrong.json()["detail"] == f"MUG-BLUE is not on return {rma}."
    )
    # the first unit arrived, the second is one too many: neither is kept
    assert too_many.status_code == 409
    assert (
        too_many.json()["detail"]
        == f"Return {rma} cannot receive goods: everything on it has arrived."
    )
    assert early.status_code == 409
    assert unchanged() == before
    # given: received; when: restocked into another warehouse's bin, an unknown bin, no bin
    post(api, url + "receive/", {"lines": [{"sku": "MUG-RED"}]})
    before = unchanged()
    LocationFactory(warehouse=WarehouseFactory(code="NORTH"), code="N-01-01")
    elsewhere = post(
        api,
        url + "inspect/",
        {"lines": [{"sku": "MUG-RED", "disposition": "restock", "location": "N-01-01"}]},
    )
    unknown = post(
        api,
        url + "inspect/",
        {"lines": [{"sku": "MUG-RED", "disposition": "restock", "location": "Z-99"}]},
    )
    no_bin = post(api, url + "inspect/", {"lines": [{"sku": "MUG-RED", "disposition": "restock"}]})
    bad_kind = post(api, url + "inspect/", {"lines": [{"sku": "MUG-RED", "disposition": "burn"}]})
    assert elsewhere.status_code in (400, 409) and "NORTH" in elsewhere.json()["detail"]
    assert unknown.status_code == 400 and "There is no bin Z-99" in unknown.json()["detail"]
    assert no_bin.status_code == 400
    assert bad_kind.status_code == 400 and "lines[0].disposition" in bad_kind.json()["errors"]
    assert unchanged() == before


def test_refund_states_and_roles(api_as, paid_order, sales_user, manager_user, unchanged):
    # given: a goodwill refund waiting for approval
    refund = services.refund_request(
        order_id=paid_order.pk, amount="5.00", reason="late", user=manager_user
    )
    before = unchanged()
    # when: a rep approves it, a manager pays it before approving it
    rep = api_as(sales_user)
    rep_approve = post(rep, f"/api/v1/refunds/{refund.pk}/approve/", {})
    manager = api_as(manager_user)
    early_pay = post(manager, f"/api/v1/refunds/{refund.pk}/pay/", {"reference": "re_1"})
    missing = post(manager, "/api/v1/refunds/999999/approve/", {})
    no_reason = post(manager, f"/api/v1/refunds/{refund.pk}/reject/", {"reason": ""})
    # then
    assert rep_approve.status_code == 403
    assert early_pay.status_code == 409 and "waiting for a manager" in early_pay.json()["detail"]
    assert missing.status_code == 404
    assert no_reason.status_code == 400
    assert unchanged() == before
    # and a rejection is final
    rejected = post(manager, f"/api/v1/refunds/{refund.pk}/reject/", {"reason": "no"})
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    again = post(manager, f"/api/v1/refunds/{refund.pk}/approve/", {})
    assert again.status_code == 409
    assert Refund.objects.get(pk=refund.pk).status == Refund.Status.REJECTED
    assert CreditNote.objects.count() == 0


def test_roles_each_do_their_part_only(api_as, api_client, paid_order, warehouse_user, sales_user):
    rma = services.return_create(
        order_id=paid_order.pk,
        user=sales_user,
        lines=[{"order_line": red_line(paid_order).pk, "quantity": 1, "reason": "damaged"}],
    )
    anonymous = api_client.get("/api/v1/returns/")
    assert anonymous.status_code in (401, 403)
    warehouse = api_as(warehouse_user)
    assert opened(warehouse, paid_order).status_code == 403
    assert post(warehouse, f"/api/v1/returns/{rma.pk}/authorize/", {}).status_code == 403
    assert warehouse.get("/api/v1/refunds/").status_code == 403
    assert warehouse.get(f"/api/v1/returns/{rma.pk}/").status_code == 200
    sales = api_as(sales_user)
    assert (
        post(
            sales, f"/api/v1/returns/{rma.pk}/receive/", {"lines": [{"sku": "MUG-RED"}]}
        ).status_code
        == 403
    )
    assert Return.objects.get(pk=rma.pk).status == Return.Status.REQUESTED


def test_a_retried_create_with_the_same_key_opens_one_return(api_as, paid_order, sales_user):
    api = api_as(sales_user)
    first = opened(api, paid_order, HTTP_IDEMPOTENCY_KEY="k-1")
    again = opened(api, paid_order, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert Return.objects.count() == 1


def test_lists_cost_the_same_queries_whatever_the_rows(
    api_as, paid_order, sales_user, manager_user, django_assert_max_num_queries
):
    # given: two returns and three refunds on the order
    for line, quantity in [(red_line(paid_order), 1), (red_line(paid_order), 1)]:
        services.return_create(
            order_id=paid_order.pk,
            user=sales_user,
            lines=[{"order_line": line.pk, "quantity": quantity, "reason": "damaged"}],
        )
    for amount in ["1.00", "2.00", "3.00"]:
        services.refund_request(
            order_id=paid_order.pk, amount=amount, reason="sorry", user=manager_user
        )
    api = api_as(manager_user)
    # when / then: token, user, roles, count, page, prefetches
    with django_assert_max_num_queries(8):
        returns = api.get("/api/v1/returns/")
    with django_assert_max_num_queries(8):
        refunds = api.get("/api/v1/refunds/")
    assert returns.json()["count"] == 2 and refunds.json()["count"] == 3
    assert Decimal(refunds.json()["results"][0]["amount"]) == Decimal("3.00")
