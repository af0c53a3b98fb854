"""The priority areas and the FAQ in Arabic: written ahead of the interface, read once it is."""

import pytest
from marshmallow import ValidationError

from cta_learning import content
from cta_learning.languages import PLATFORM
from tests.conftest import WITH_ARABIC
from tests.hostile import page_text


@pytest.fixture
def app(app):
    """The app with Arabic among the languages readers may choose, as once it is complete."""
    app.config.update(WITH_ARABIC)
    return app


def texts(value):
    """Every {language: text} mapping in a loaded content file."""
    if isinstance(value, dict) and "en" in value and isinstance(value["en"], str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from texts(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from texts(item)


def test_every_priority_and_faq_text_is_in_arabic(app):
    with app.app_context():
        priorities = [vars(priority) for priority in content.priorities()]
        faq = content.faq()
    found = list(texts(priorities)) + list(texts(faq))
    assert len(found) == 8 * 4 + 4 + 20 * 2
    assert all(text.get("ar") and set(text) <= set(content.CONTENT_LANGUAGES) for text in found)


def test_a_text_may_be_in_a_content_language_and_no_other():
    schema = content.FaqSectionSchema()
    question = {"id": "q", "question": {}, "answer": {}}
    texts_in = {language: f"text {language}" for language in PLATFORM}
    for field in ("question", "answer"):
        question[field] = {**texts_in, "ar": "نص"}
    loaded = schema.load({"section": {**texts_in, "ar": "قسم"}, "questions": [question]})
    assert loaded["section"]["ar"] == "قسم"
    with pytest.raises(ValidationError):
        schema.load({"section": {**texts_in, "de": "Abschnitt"}, "questions": [question]})


def test_the_priority_areas_in_arabic(client):
    page = page_text(client.get("/priorities?lang=ar"))
    assert "حماية الفئات الأكثر ضعفًا" in page  # priority 3
    assert "تحسين حوكمة الهجرة والحماية من التهجير القسري" in page  # priority 1
    assert "تقاسم الأعباء والمسؤوليات" in page  # its area of the Global Compact on Refugees
    assert "ساو باولو (São Paulo)" in page  # its example
    assert "Protect the most vulnerable" not in page


def test_the_faq_in_arabic(client):
    response = client.get("/faq", headers={"Accept-Language": "ar"})
    page = page_text(response)
    assert page.count('<details id="') == 20
    assert "نداء العمل المحلي" in page and "الانضمام وملفكم" in page  # sections
    assert "ما هو نداء العمل المحلي من أجل المهاجرين واللاجئين؟" in page
    assert "<strong>التوقيع على إعلان رؤساء البلديات في مراكش</strong>" in page  # Markdown
    assert "What is the Call to Local Action" not in page
