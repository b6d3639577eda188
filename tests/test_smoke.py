import pytest


@pytest.mark.django_db
def test_live_health_answers_ok(client):
    response = client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_owner_sees_dashboard_of_own_company(demo, login):
    client = login("owner@demo-bv.test")
    response = client.get("/")
    assert response.status_code == 200
    assert b"Demo BV" in response.content
