"""A finished row says so in words and an icon, not only by turning green."""

from django.urls import reverse

from fulfillment import services


def test_a_picked_row_of_the_wave_says_all_picked(client, warehouse_user, picked_wave):
    # given
    wave, _shipment = picked_wave
    client.force_login(warehouse_user)
    # when
    page = client.get(reverse("fulfillment:wave_detail", args=[wave.pk])).content.decode()
    # then
    assert 'class="table-success"' in page
    assert '&#10004;</span><span class="visually-hidden">all picked:</span> 2' in page


def test_a_packed_line_on_the_bench_says_all_packed(client, warehouse_user, picked_wave):
    # given: the shipment's two mugs scanned in at the bench
    _wave, shipment = picked_wave
    services.pack_scan(user=warehouse_user, code=shipment.number)
    services.pack_scan(user=warehouse_user, code="4006381333931", shipment_id=shipment.pk)
    client.force_login(warehouse_user)
    half = client.get(reverse("fulfillment:pack")).content.decode()
    services.pack_scan(user=warehouse_user, code="4006381333931", shipment_id=shipment.pk)
    # when
    page = client.get(reverse("fulfillment:pack")).content.decode()
    # then: not while one is left; then in words
    assert "all packed:" not in half
    assert '<span class="visually-hidden">all packed:</span> 2' in page
