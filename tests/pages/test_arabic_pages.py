"""The priority areas and the FAQ in Arabic."""

import pytest
from marshmallow import ValidationError

from cta_learning import content
from cta_learning.languages import PLATFORM
from tests.hostile import page_text


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
    assert all(text.get("ar") and set(text) <= set(PLATFORM) for text in found)


def test_a_text_is_in_every_language_and_no_other():
    schema = content.FaqSectionSchema()
    texts_in = {language: f"text {language}" for language in PLATFORM}
    question = {"id": "q", "question": texts_in, "answer": texts_in}
    assert schema.load({"section": texts_in, "questions": [question]})["section"]["ar"] == "text ar"
    without_arabic = {code: text for code, text in texts_in.items() if code != "ar"}
    with pytest.raises(ValidationError, match="missing languages: ar"):
        schema.load({"section": without_arabic, "questions": [question]})
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
