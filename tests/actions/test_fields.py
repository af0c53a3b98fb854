"""An action's fields are listed once: the forms ask for exactly those fields."""

from cta_learning.actions import fields
from cta_learning.actions.forms import STEP_FORMS
from cta_learning.actions.manage_forms import CorrectionForm

NOT_FIELDS = {"csrf_token", "many_priorities_confirmed"}  # form controls, not the action's


def names(form) -> set[str]:
    return {name for name in form._fields if name not in NOT_FIELDS}


def test_each_step_of_the_form_asks_for_exactly_its_fields(app):
    assert tuple(STEP_FORMS) == fields.STEPS
    with app.test_request_context():
        for step, form_class in STEP_FORMS.items():
            assert names(form_class()) == set(fields.STEP_FIELDS[step]), step


def test_the_secretariat_corrects_every_field_but_the_language(app):
    with app.test_request_context():
        assert names(CorrectionForm()) == set(fields.CORRECTED)
    assert "language" not in fields.CORRECTED
    required = {name for names in fields.REQUIRED.values() for name in names}
    assert required == {
        "title",
        "description",
        "language",
        "start_on",
        "target_groups",
        "priorities",
    }
