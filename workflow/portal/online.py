"""An online application as the portal's form (web.pages.portal.apply) and the public API (``POST
/api/public/{code}/applications``) receive it: every check, in one order, for both.

1. the fields (``OnlineSubmissionIn``; the ID number's problem is said even while another field is wrong, when
   pydantic skips the model-level check that would say it),
2. the attachments (PDF, JPG, PNG by content, size, how many: ``check_files``),
3. the challenge (``challenge.answer``: a wrong answer spends its question). A challenge not passed — wrong,
   missing, invalid, expired or spent — counts against the address's limit of wrong answers; over it, the attempt
   is refused (TooManyAttempts) before anything else is said.

Every problem is reported at once, at its field (``Checked.problems``). Only when there is none, ``submit_checked``
counts the address's submission (over the limit: TooManyAttempts) and submits: the submission spends the challenge
in its own transaction. Nothing is written before that but a spent question and the counters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from settings import Settings
from workflow.disclosure.payloads import OnlineSubmissionIn, early_id_problem
from workflow.errors import DomainValidation
from workflow.input_errors import field_errors
from workflow.portal import challenge
from workflow.portal.rate_limits import PublicLimits
from workflow.portal.submissions import Submitted, check_files, submit_online
from workflow.runtime import Engine

CHALLENGE_FIELDS = ("challenge_token", challenge.FIELD)


@dataclass(frozen=True)
class Checked:
    """What the checks found: the application (None while a field is wrong), whether the files passed, the nonce of
    the challenge answered right (None otherwise) and every problem at its field."""

    data: OnlineSubmissionIn | None
    files_ok: bool
    nonce: str | None
    problems: list[dict[str, Any]]

    @property
    def ready(self) -> bool:
        return not self.problems and self.data is not None and self.nonce is not None


def from_body(body: dict[str, Any]) -> tuple[dict[str, Any], str, str]:
    """A JSON body as the form's fields: (the application's fields, the challenge's token, its answer). An answer
    given as a number is read as its digits; anything else that is not text is no answer."""
    fields = {k: v for k, v in body.items() if k not in CHALLENGE_FIELDS}
    token, given = body.get("challenge_token"), body.get(challenge.FIELD)
    if isinstance(given, int) and not isinstance(given, bool):
        given = str(given)
    return fields, token if isinstance(token, str) else "", given if isinstance(given, str) else ""


def check_application(engine: Engine, fields: dict[str, Any], files: list[tuple[str, bytes]], *, token: str,
                      answer: str, secret: str, ip: str, now: datetime, settings: Settings,
                      limits: PublicLimits) -> Checked:
    """Every check of an online application (see the module); TooManyAttempts when a challenge not passed is one
    too many for the address."""
    problems: list[dict[str, Any]] = []
    data = None
    try:
        data = OnlineSubmissionIn.model_validate(fields)
    except ValidationError as exc:
        problems += field_errors(exc.errors())
        early = early_id_problem(fields)
        if early is not None and not any(p["field"] == "id_number" for p in problems):
            problems.append(early)
    files_ok = True
    try:
        check_files(files, settings)
    except DomainValidation as exc:
        problems += exc.fields
        files_ok = False
    nonce = None
    try:
        nonce = challenge.answer(engine, secret, token, answer, now)
    except DomainValidation as exc:
        limits.check_challenge_failure(ip)
        problems += exc.fields
    return Checked(data, files_ok, nonce, problems)


def submit_checked(engine: Engine, checked: Checked, files: list[tuple[str, bytes]], *, agency_code: str, ip: str,
                   now: datetime, settings: Settings, limits: PublicLimits) -> Submitted:
    """An application that passed ``check_application``: the address's submission counted (TooManyAttempts over the
    limit), then ``submit_online`` (NotFound for an agency that takes no applications; DomainValidation if the
    challenge was spent meanwhile)."""
    if checked.data is None or checked.nonce is None or checked.problems:
        raise ValueError("the application has problems: check_application first")
    limits.check_submission(ip)
    return submit_online(engine, checked.data, files, agency_code=agency_code, ip=ip, now=now, settings=settings,
                         challenge_nonce=checked.nonce)
