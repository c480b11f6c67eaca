"""The inventory REST API: the SPEC section 7 calls, products, warehouses, bins, schema."""

import pytest

from inventory import services
from inventory.models import Location, Product, Warehouse
from tests.factories import ProductFactory, SupplierFactory

PASSWORD = "pass-word-123"


def product_rows():
    """Return every product's key fields, to prove that nothing changed."""
    return list(
        Product.objects.order_by("pk").values_list(
            "pk", "sku", "name", "barcode", "price", "is_active", "supplier_id"
        )
    )


# --- SPEC section 7, exactly as written -------------------------------------------------------


def test_spec_calls_from_token_to_stock_list(api_client, manager_user):
    # given
    token_response = api_client.post(
        "/api/v1/auth/token/",
        {"username": manager_user.username, "password": PASSWORD},
        format="json",
    )
    assert token_response.status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token_response.json()['token']}")

    # when
    product = api_client.post(
        "/api/v1/products/",
        {
            "sku": "MUG-RED",
            "name": "Red mug",
            "barcode": "4006381333931",
            "price": "9.90",
            "weight_grams": 350,
        },
        format="json",
    )
    warehouse = api_client.post(
        "/api/v1/warehouses/", {"code": "MAIN", "name": "Main warehouse"}, format="json"
    )
    location = api_client.post(
        "/api/v1/locations/",
        {"warehouse": "MAIN", "code": "A-01-01", "pick_sequence": 10},
        format="json",
    )
    receipt = api_client.post(
        "/api/v1/stock/receive/",
        {
            "sku": "MUG-RED",
            "warehouse": "MAIN",
            "location": "A-01-01",
            "quantity": 10,
            "reference": "PO-000001",
        },
        format="json",
    )
    stock = api_client.get("/api/v1/stock/?sku=MUG-RED")

    # then
    assert product.status_code == 201, product.json()
    body = product.json()
    assert body["id"] == Product.objects.get(sku="MUG-RED").pk
    assert body["sku"] == "MUG-RED"
    assert body["name"] == "Red mug"
    assert body["barcode"] == "4006381333931"
    assert body["price"] == "9.90"
    assert body["weight_grams"] == 350
    assert body["is_active"] is True
    assert body["is_drop_ship"] is False
    assert (body["on_hand"], body["allocated"], body["available"]) == (0, 0, 0)

    assert warehouse.status_code == 201, warehouse.json()
    assert warehouse.json()["code"] == "MAIN"
    assert location.status_code == 201, location.json()
    assert location.json()["warehouse"] == "MAIN"
    assert location.json()["code"] == "A-01-01"
    assert location.json()["pick_sequence"] == 10
    assert location.json()["barcode"] == "BIN-MAIN-A-01-01"

    assert receipt.status_code == 201, receipt.json()
    assert receipt.json()["movement"]["kind"] == "receipt"
    assert receipt.json()["movement"]["quantity"] == 10
    assert receipt.json()["movement"]["reference"] == "PO-000001"
    assert receipt.json()["movement"]["user"] == manager_user.username
    assert receipt.json()["stock"]["on_hand"] == 10

    assert stock.status_code == 200
    rows = stock.json()["results"]
    assert len(rows) == 1
    row = rows[0]
    assert {k: row[k] for k in ("sku", "warehouse", "location")} == {
        "sku": "MUG-RED",
        "warehouse": "MAIN",
        "location": "A-01-01",
    }
    assert (row["on_hand"], row["allocated"], row["available"]) == (10, 0, 10)

    product_after = api_client.get(f"/api/v1/products/{body['id']}/").json()
    assert (product_after["on_hand"], product_after["available"]) == (10, 10)


# --- products ----------------------------------------------------------------------------------


def test_product_create_returns_every_field(api_as, manager_user):
    # given
    client = api_as(manager_user)
    supplier = SupplierFactory(code="ACME")

    # when
    response = client.post(
        "/api/v1/products/",
        {
            "sku": "LAMP-1",
            "name": "Desk lamp",
            "barcode": "036000291452",
            "price": "24.50",
            "weight_grams": 1200,
            "length_mm": 300,
            "width_mm": 200,
            "height_mm": 450,
            "reorder_point": 5,
            "supplier": "acme",
            "is_drop_ship": True,
        },
        format="json",
    )

    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["price"] == "24.50"
    assert (body["length_mm"], body["width_mm"], body["height_mm"]) == (300, 200, 450)
    assert body["reorder_point"] == 5
    assert body["supplier"] == "ACME"
    assert body["is_drop_ship"] is True
    assert Product.objects.get(sku="LAMP-1").supplier == supplier


def test_product_duplicate_sku_is_409_and_changes_nothing(api_as, manager_user, product):
    # given
    client = api_as(manager_user)
    before = product_rows()

    # when
    response = client.post(
        "/api/v1/products/", {"sku": "mug-red", "name": "Another mug"}, format="json"
    )

    # then
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate"
    assert response.json()["errors"]["sku"] == ["SKU mug-red is already used by 'Red mug'."]
    assert product_rows() == before


def test_product_duplicate_barcode_is_409_and_changes_nothing(api_as, manager_user, product):
    # given
    client = api_as(manager_user)
    before = product_rows()

    # when
    response = client.post(
        "/api/v1/products/",
        {"sku": "MUG-BLUE", "name": "Blue mug", "barcode": "4006381333931"},
        format="json",
    )

    # then
    assert response.status_code == 409
    assert "already used by MUG-RED" in response.json()["errors"]["barcode"][0]
    assert product_rows() == before


def test_product_bad_ean_check_digit_is_400_and_changes_nothing(api_as, manager_user, product):
    # given
    client = api_as(manager_user)
    before = product_rows()

    # when
    response = client.post(
        "/api/v1/products/",
        {"sku": "MUG-BLUE", "name": "Blue mug", "barcode": "4006381333932"},
        format="json",
    )

    # then
    assert response.status_code == 400
    assert "check digit should be 1" in response.json()["errors"]["barcode"][0]
    assert product_rows() == before


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "No SKU"}, "sku"),
        ({"sku": "HAS SPACE", "name": "Spaced"}, "sku"),
        ({"sku": "NEG", "name": "Negative", "price": "-1.00"}, "price"),
        ({"sku": "TXT", "name": "Text price", "price": "cheap"}, "price"),
        ({"sku": "WGT", "name": "Heavy", "weight_grams": "a lot"}, "weight_grams"),
    ],
)
def test_product_bad_fields_are_400_with_the_field_named(
    api_as, manager_user, product, payload, field
):
    # given
    client = api_as(manager_user)
    before = product_rows()

    # when
    response = client.post("/api/v1/products/", payload, format="json")

    # then
    assert response.status_code == 400
    assert response.json()["errors"][field]
    assert product_rows() == before


def test_product_unknown_supplier_is_404_naming_the_field(api_as, manager_user, product):
    # given
    client = api_as(manager_user)
    before = product_rows()

    # when
    response = client.post(
        "/api/v1/products/", {"sku": "X-1", "name": "X", "supplier": "NOPE"}, format="json"
    )

    # then
    assert response.status_code == 404
    assert response.json()["errors"]["supplier"] == ["There is no supplier 'NOPE'."]
    assert product_rows() == before


def test_sales_cannot_create_products(api_as, sales_user):
    # given
    client = api_as(sales_user)

    # when
    response = client.post("/api/v1/products/", {"sku": "X-1", "name": "X"}, format="json")

    # then
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not Product.objects.exists()


def test_product_patch_changes_only_the_given_fields(api_as, manager_user, product):
    # given
    client = api_as(manager_user)

    # when
    response = client.patch(
        f"/api/v1/products/{product.pk}/", {"price": "12.00", "reorder_point": 3}, format="json"
    )

    # then
    assert response.status_code == 200, response.json()
    assert response.json()["price"] == "12.00"
    product.refresh_from_db()
    assert (str(product.price), product.reorder_point, product.name) == ("12.00", 3, "Red mug")


def test_product_patch_to_a_taken_barcode_is_409_and_changes_nothing(api_as, manager_user, product):
    # given
    other = ProductFactory(sku="MUG-BLUE")
    client = api_as(manager_user)
    before = product_rows()

    # when
    response = client.patch(
        f"/api/v1/products/{other.pk}/", {"barcode": "4006381333931"}, format="json"
    )

    # then
    assert response.status_code == 409
    assert response.json()["errors"]["barcode"]
    assert product_rows() == before


def test_product_deactivate_and_activate(api_as, manager_user, product):
    # given
    client = api_as(manager_user)

    # when
    off = client.post(f"/api/v1/products/{product.pk}/deactivate/")
    inactive_list = client.get("/api/v1/products/?active=false").json()["results"]
    on = client.post(f"/api/v1/products/{product.pk}/activate/")

    # then
    assert off.status_code == 200
    assert off.json()["is_active"] is False
    assert [row["sku"] for row in inactive_list] == ["MUG-RED"]
    assert on.status_code == 200
    assert on.json()["is_active"] is True
    product.refresh_from_db()
    assert product.is_active is True


def test_warehouse_staff_cannot_deactivate_a_product(api_as, warehouse_user, product):
    # given
    client = api_as(warehouse_user)

    # when
    response = client.post(f"/api/v1/products/{product.pk}/deactivate/")

    # then
    assert response.status_code == 403
    product.refresh_from_db()
    assert product.is_active is True


@pytest.mark.parametrize("method", ["delete", "put"])
def test_products_cannot_be_deleted_or_replaced(api_as, manager_user, product, method):
    # given
    client = api_as(manager_user)
    before = product_rows()

    # when
    response = getattr(client, method)(f"/api/v1/products/{product.pk}/", format="json")

    # then
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert product_rows() == before


@pytest.mark.parametrize("pk", ["999999", "abc"])
def test_unknown_product_is_404_json(api_as, sales_user, pk):
    # given
    client = api_as(sales_user)

    # when
    response = client.get(f"/api/v1/products/{pk}/")

    # then
    assert response.status_code == 404
    assert response.json() == {"detail": "That product does not exist.", "code": "not_found"}


def test_product_list_filters(api_as, sales_user, product, bin_a):
    # given
    supplier = SupplierFactory(code="ACME")
    low = ProductFactory(sku="CUP-GREEN", name="Green cup", reorder_point=5, supplier=supplier)
    services.stock_receive(product=low, location=bin_a, quantity=3)
    ProductFactory(sku="VASE", name="Tall vase", is_drop_ship=True)
    ProductFactory(sku="OLD", name="Old mug", is_active=False)
    client = api_as(sales_user)

    def skus(query):
        response = client.get(f"/api/v1/products/?{query}")
        assert response.status_code == 200, response.json()
        return [row["sku"] for row in response.json()["results"]]

    # when / then
    assert skus("sku=mug-red") == ["MUG-RED"]
    assert skus("barcode=4006381333931") == ["MUG-RED"]
    assert skus("q=mug") == ["MUG-RED", "OLD"]
    assert skus("q=mug&active=true") == ["MUG-RED"]
    assert skus("supplier=acme") == ["CUP-GREEN"]
    assert skus("drop_ship=true") == ["VASE"]
    assert skus("low=true") == ["CUP-GREEN"]
    assert skus("ordering=-available,sku") == ["CUP-GREEN", "MUG-RED", "OLD", "VASE"]
    green = client.get("/api/v1/products/?sku=CUP-GREEN").json()["results"][0]
    assert (green["on_hand"], green["available"], green["is_low_stock"]) == (3, 3, True)


# --- warehouses and bins ----------------------------------------------------------------------


def test_duplicate_warehouse_is_409_and_changes_nothing(api_as, manager_user, warehouse):
    # given
    client = api_as(manager_user)

    # when
    response = client.post("/api/v1/warehouses/", {"code": "main", "name": "Again"}, format="json")

    # then
    assert response.status_code == 409
    assert response.json()["errors"]["code"] == ["Warehouse MAIN already exists."]
    assert list(Warehouse.objects.values_list("code", "name")) == [("MAIN", "Main warehouse")]


def test_warehouse_staff_cannot_create_warehouses(api_as, warehouse_user):
    # given
    client = api_as(warehouse_user)

    # when
    response = client.post("/api/v1/warehouses/", {"code": "WEST", "name": "West"}, format="json")

    # then
    assert response.status_code == 403
    assert not Warehouse.objects.exists()


def test_location_in_unknown_warehouse_is_404_and_changes_nothing(api_as, warehouse_user, bin_a):
    # given
    client = api_as(warehouse_user)
    before = list(Location.objects.values_list("pk", "code"))

    # when
    response = client.post(
        "/api/v1/locations/",
        {"warehouse": "NOWHERE", "code": "A-01-01", "pick_sequence": 10},
        format="json",
    )

    # then
    assert response.status_code == 404
    assert response.json()["code"] == "unknown_warehouse"
    assert response.json()["errors"] == {"warehouse": ["There is no warehouse 'NOWHERE'."]}
    assert list(Location.objects.values_list("pk", "code")) == before


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"warehouse": "MAIN", "code": "A-01-01"}, 409, "code"),
        ({"warehouse": "MAIN", "code": "B-01-01", "pick_sequence": -1}, 400, "pick_sequence"),
        ({"warehouse": "MAIN", "code": "B-01-01", "pick_sequence": "ten"}, 400, "pick_sequence"),
        ({"warehouse": "MAIN"}, 400, "code"),
    ],
)
def test_bad_location_is_refused_and_changes_nothing(
    api_as, warehouse_user, bin_a, payload, status, field
):
    # given
    client = api_as(warehouse_user)
    before = list(Location.objects.values_list("pk", "code"))

    # when
    response = client.post("/api/v1/locations/", payload, format="json")

    # then
    assert response.status_code == status
    assert response.json()["errors"][field]
    assert list(Location.objects.values_list("pk", "code")) == before


def test_location_list_filters_by_warehouse_and_code(api_as, sales_user, bin_a, bin_b):
    # given
    services.warehouse_create(code="WEST", name="West")
    west = Warehouse.objects.get(code="WEST")
    services.location_create(warehouse=west, code="A-01-01", pick_sequence=5)
    client = api_as(sales_user)

    # when
    main = client.get("/api/v1/locations/?warehouse=main").json()["results"]
    same_code = client.get("/api/v1/locations/?code=a-01-01").json()["results"]

    # then
    assert [row["code"] for row in main] == ["A-01-01", "A-01-02"]
    assert sorted(row["warehouse"] for row in same_code) == ["MAIN", "WEST"]


# --- schema and docs --------------------------------------------------------------------------


def test_schema_lists_every_inventory_endpoint(api_as, sales_user):
    # when
    response = api_as(sales_user).get("/api/schema/?format=json")

    # then
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    for path in [
        "/api/v1/products/",
        "/api/v1/products/{id}/",
        "/api/v1/products/{id}/deactivate/",
        "/api/v1/products/{id}/activate/",
        "/api/v1/warehouses/",
        "/api/v1/locations/",
        "/api/v1/stock/",
        "/api/v1/stock/receive/",
        "/api/v1/stock/adjust/",
        "/api/v1/stock/transfer/",
        "/api/v1/movements/",
    ]:
        assert path in paths, path
    assert "delete" not in paths["/api/v1/products/{id}/"]
    receive = paths["/api/v1/stock/receive/"]["post"]
    request_ref = receive["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert request_ref == "#/components/schemas/StockReceiveRequest"
    response_ref = receive["responses"]["201"]["content"]["application/json"]["schema"]["$ref"]
    assert response_ref == "#/components/schemas/StockReceiveResult"
    assert set(schema["components"]["schemas"]["StockReceiveRequest"]["required"]) == {
        "sku",
        "warehouse",
        "location",
        "quantity",
    }
    stock_params = {p["name"] for p in paths["/api/v1/stock/"]["get"]["parameters"]}
    assert {"sku", "warehouse", "location", "product", "available_gt", "low"} <= stock_params


def test_docs_page_answers(client, sales_user):
    # given
    client.force_login(sales_user)
    # when
    response = client.get("/api/docs/")

    # then
    assert response.status_code == 200
    assert b"swagger-ui" in response.content
