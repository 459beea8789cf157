"""The generated forms' labels, help texts and option names (keys: ``Model.field`` or ``field``): the shared vocabulary
(states.wording FORM_FIELDS, FORM_HELP, FORM_OPTIONS) with each kind's own tables and the 12345 platform's field names."""

from __future__ import annotations

from states import hotline
from states.decisions import CATEGORY_LABELS as DECISION_CATEGORY_LABELS
from states.wording import FORM_FIELDS, FORM_HELP, FORM_OPTIONS
from workflow.hotline.mapping import FIELDS as ORDER_FIELDS

FIELD_LABELS: dict[str, str] = {
    # the 12345 intake form: the platform's own field names (as in the import), then what the form says beyond them
    **{f"WorkOrderIntake.{k}": v.label for k, v in ORDER_FIELDS.items()},
    **FORM_FIELDS,
}

HELP: dict[str, str] = FORM_HELP

OPTION_LABELS: dict[str, dict[str, str]] = {
    **{k: dict(v) for k, v in FORM_OPTIONS.items()},
    "category": {str(k): v for k, v in DECISION_CATEGORY_LABELS.items()},
    "RecordCallbackPayload.result": dict(hotline.CALLBACK_LABELS),
    "RequestTerminationPayload.ground": dict(hotline.TERMINATION_GROUND_LABELS),
    "WorkOrderIntake.category": dict(hotline.CATEGORY_LABELS),
    "WorkOrderIntake.urgency": dict(hotline.URGENCY_LABELS),
}
