from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from fulfillment import services
from fulfillment.models import Carrier, PackageType, Shipment, ShippingMethod
from orders.models import Order
from tests.fulfillment.conftest import pack_all


def test_load_fulfillment_demo_is_idempotent(db):
    # when
    call_command("load_fulfillment_demo", stdout=StringIO())
    call_command("load_fulfillment_demo", stdout=StringIO())
    # then
    assert Carrier.objects.count() == 3
    assert Carrier.objects.filter(is_local_courier=True).count() == 1
    assert ShippingMethod.objects.filter(code="standard").get().carrier.code == "RM"
    assert PackageType.objects.count() == 4


def test_send_follow_ups_command_completes_old_deliveries(
    picked_wave, warehouse_user, box, royal_mail
):
    # given
    _, shipment = picked_wave
    pack_all(shipment, warehouse_user, box)
    services.shipment_ship(shipment_id=shipment.pk, user=warehouse_user, tracking_number="T9")
    Shipment.objects.filter(pk=shipment.pk).update(shipped_at=timezone.now() - timedelta(days=4))
    services.tracking_update(
        tracking_number="T9", user=warehouse_user, delivered_at=timezone.now() - timedelta(days=3)
    )
    out = StringIO()
    # when
    call_command("send_follow_ups", "--days", "2", stdout=out)
    # then
    assert "1 order(s) followed up" in out.getvalue()
    assert Order.objects.get(pk=shipment.order_id).status == Order.Status.COMPLETED
