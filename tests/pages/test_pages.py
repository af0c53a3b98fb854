"""Public pages: home, priority areas, FAQ, health check, error pages, headers."""

import pytest

from tests.conftest import count_queries


def test_home_explains_the_call_and_how_to_join(client):
    page = client.get("/").get_data(as_text=True)
    assert "Call to Local Action for Migrants and Refugees" in page
    assert "Join in two steps" in page
    assert "Marrakech Mayors Declaration" in page
    assert "What members get" in page


def test_priorities_lists_the_eight_areas_with_compact_links(client):
    page = client.get("/priorities").get_data(as_text=True)
    assert page.count('class="number"') == 8
    assert "Protect the most vulnerable" in page
    assert "Objectives 7 and 15" in page
    assert "Burden and responsibility sharing" in page


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fr", "Protéger les personnes les plus vulnérables"),
        ("es", "Proteger a las personas más vulnerables"),
    ],
)
def test_priorities_are_shown_in_the_visitors_language(client, language, text):
    page = client.get(f"/priorities?lang={language}").get_data(as_text=True)
    assert text in page
    assert f'<html lang="{language}">' in page


def test_faq_renders_sections_and_markdown_answers(client):
    page = client.get("/faq").get_data(as_text=True)
    assert page.count('<details id="') >= 14
    assert "<strong>" in page  # Markdown in answers is rendered


def test_health_check_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_unknown_page_is_a_translated_404(client):
    response = client.get("/no-such-page", headers={"Accept-Language": "es"})
    assert response.status_code == 404
    assert "Página no encontrada" in response.get_data(as_text=True)


def test_wrong_method_is_a_405_page(client):
    response = client.post("/faq")
    assert response.status_code == 405
    assert "This action is not possible here" in response.get_data(as_text=True)


def test_null_byte_in_url_is_a_400(client):
    assert client.get("/faq?q=%00").status_code == 400
    assert client.get("/confirm/abc%00def").status_code == 400


def test_security_headers_on_every_page(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_request_nothing_from_other_hosts(client):
    for path in ("/", "/priorities", "/faq", "/login", "/signup"):
        page = client.get(path).get_data(as_text=True)
        for attribute in ('src="http', 'href="http', 'src="//', 'href="//'):
            assert attribute not in page, (path, attribute)


@pytest.mark.parametrize("path", ["/", "/priorities", "/faq"])
def test_public_pages_run_no_query_for_visitors(app, client, path):
    with count_queries(app) as queries:
        assert client.get(path).status_code == 200
    assert queries == []


def test_shared_pages_answer_304_when_unchanged(client):
    first = client.get("/priorities?lang=es")
    assert first.headers["ETag"]
    again = client.get("/priorities?lang=es", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    french = client.get("/priorities?lang=fr")
    assert french.headers["ETag"] != first.headers["ETag"]
    assert "Accept-Language" in french.headers["Vary"]


def test_shared_pages_never_serve_a_signed_in_page_to_visitors(app, client, auth):
    auth.login_as(name="Private Person")
    assert "Log out" in client.get("/").get_data(as_text=True)
    visitor = app.test_client()
    page = visitor.get("/").get_data(as_text=True)
    assert "Log out" not in page and "Sign up" in page


def test_logout_message_is_shown_on_the_shared_home_page(client, auth):
    client.get("/")  # the shared copy exists
    auth.login_as()
    response = client.post("/logout", follow_redirects=True)
    assert "You are logged out" in response.get_data(as_text=True)
