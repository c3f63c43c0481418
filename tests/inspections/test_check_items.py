from django.urls import reverse

from inspections.models import CheckItem


def test_every_signed_in_user_reads_the_published_check_items(client, township_a_user, sectors):
    CheckItem.objects.create(sector=sectors["hazchem"], code="WH-01", title="是否建立安全风险分级管控制度")
    CheckItem.objects.create(sector=sectors["fire"], code="XF-01", title="疏散通道是否畅通", is_active=False)
    client.force_login(township_a_user)
    body = client.get(reverse("inspections:check_item_list")).content.decode()
    assert "是否建立安全风险分级管控制度" in body
    assert "疏散通道是否畅通" not in body  # withdrawn items are not published


def test_check_items_filter_by_sector(client, leader, sectors):
    CheckItem.objects.create(sector=sectors["hazchem"], code="WH-01", title="危化事项")
    CheckItem.objects.create(sector=sectors["fire"], code="XF-01", title="消防事项")
    client.force_login(leader)
    body = client.get(reverse("inspections:check_item_list"), {"sector": sectors["fire"].pk}).content.decode()
    assert "消防事项" in body and "危化事项" not in body


def test_anonymous_is_sent_to_login(client):
    assert client.get(reverse("inspections:check_item_list")).status_code == 302
