"""The portal's anti-abuse challenge: a small sum the server words in Chinese, signed, time-limited, single-use.

No third-party service. The token carries a random nonce, the time it was issued and an HMAC of the
answer (never the answer itself), all signed with the app secret. A token is spent when it is used for a
submission (in the submission's own transaction) or answered wrongly (``answer``: so nobody can try every number
against one question); spent nonces live in ``challenge_use`` until the token would have expired anyway. The
portal's form and the API (``GET /api/public/{code}/challenge``) issue the same questions.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete
from sqlmodel import Session, col, select

from db.engine import conflict_insert, dialect_name, read_session, write_session
from db.models import ChallengeUse
from workflow.errors import DomainValidation

TTL = timedelta(minutes=30)
FIELD = "challenge_answer"
_DIGITS = "零一二三四五六七八九"
_FULLWIDTH = str.maketrans("０１２３４５６７８９－", "0123456789-")


@dataclass(frozen=True)
class Challenge:
    question: str  # e.g. "十二减五等于多少？"
    token: str


def cn_small(n: int) -> str:
    """0–99 in Chinese numerals (十二, 二十, 三十五)."""
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def _mac(secret: str, text: str) -> str:
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def issue(secret: str, now: datetime) -> Challenge:
    """A new question and its signed token."""
    op = secrets.choice("+-×")
    if op == "×":
        a, b = secrets.randbelow(8) + 2, secrets.randbelow(8) + 2
        answer, word = a * b, "乘以"
    else:
        a, b = secrets.randbelow(40) + 10, secrets.randbelow(9) + 1
        answer, word = (a + b, "加") if op == "+" else (a - b, "减")
    nonce = secrets.token_hex(12)
    payload = f"{nonce}.{int(now.timestamp())}.{_mac(secret, nonce + ':' + str(answer))[:20]}"
    return Challenge(f"{cn_small(a)}{word}{cn_small(b)}等于多少？", f"{payload}.{_mac(secret, payload)[:32]}")


def _problem(code: str, message: str) -> DomainValidation:
    return DomainValidation.one(FIELD, code, message)


def check(secret: str, token: str, answer: str, now: datetime) -> str:
    """The token's nonce if ``answer`` is right and the token genuine and fresh; else DomainValidation.

    Whether the nonce was spent already is checked by ``consume`` (in the submission's transaction).
    """
    parts = token.split(".")
    if len(parts) != 4 or not hmac.compare_digest(_mac(secret, ".".join(parts[:3]))[:32], parts[3]):
        raise _problem("challenge_invalid", "验证题无效，请计算新的题目")
    nonce, issued, answer_mac = parts[0], parts[1], parts[2]
    try:
        issued_at = datetime.fromtimestamp(int(issued), UTC)
    except (ValueError, OverflowError, OSError) as exc:
        raise _problem("challenge_invalid", "验证题无效，请计算新的题目") from exc
    if now - issued_at > TTL or issued_at - now > timedelta(minutes=1):
        raise _problem("challenge_expired", "验证题已过期，请计算新的题目")
    given = answer.strip().translate(_FULLWIDTH)
    if not given:
        raise _problem("challenge_missing", "请填写验证题的答案")
    if not hmac.compare_digest(_mac(secret, nonce + ":" + given)[:20], answer_mac):
        raise _problem("challenge_wrong", "验证题答案不正确，请计算新的题目")
    return nonce


def nonce_of(token: str) -> str | None:
    """The nonce of a token whose signature may not have been checked (to spend it after a wrong answer)."""
    nonce = token.split(".")[0]
    return nonce if len(nonce) == 24 and all(c in "0123456789abcdef" for c in nonce) else None


def consume(session: Session, nonce: str, now: datetime) -> None:
    """Spend ``nonce`` in the caller's transaction; DomainValidation if it was spent before."""
    table = ChallengeUse.__table__  # type: ignore[attr-defined]
    session.execute(delete(table).where(table.c.expires_at < now))
    ins = conflict_insert(dialect_name(session), table).values(
        nonce=nonce, used_at=now, expires_at=now + TTL + timedelta(minutes=1))
    inserted = session.execute(ins.on_conflict_do_nothing(index_elements=["nonce"]).returning(table.c.nonce)).first()
    if inserted is None:
        raise _problem("challenge_used", "验证题已使用过，请计算新的题目")


def spend(engine: Engine, token: str, now: datetime) -> None:
    """Spend a token that was answered wrongly (its own short transaction; a spent one stays spent)."""
    nonce = nonce_of(token)
    if nonce is None:
        return
    with write_session(engine) as s:
        with contextlib.suppress(DomainValidation):  # spent already: stays spent
            consume(s, nonce, now)
        s.commit()


def is_spent(session: Session, nonce: str) -> bool:
    return session.exec(select(col(ChallengeUse.nonce)).where(ChallengeUse.nonce == nonce)).first() is not None


def check_unspent(engine: Engine, secret: str, token: str, answer: str, now: datetime) -> str:
    """``check``, and that the nonce was not spent already (a read: the submission spends it in its own
    transaction, which refuses a spent one all the same); DomainValidation otherwise."""
    nonce = check(secret, token, answer, now)
    with read_session(engine) as s:
        if is_spent(s, nonce):
            raise _problem("challenge_used", "验证题已使用过，请计算新的题目")
    return nonce


def answer(engine: Engine, secret: str, token: str, given: str, now: datetime) -> str:
    """The nonce of a question answered right and not spent (``check_unspent``); else DomainValidation, and a wrong
    answer spends its question (no second guess at the same question). The nonce itself is spent by the
    submission (``consume`` in its transaction)."""
    try:
        return check_unspent(engine, secret, token, given, now)
    except DomainValidation as exc:
        if exc.fields[0]["code"] == "challenge_wrong":
            spend(engine, token, now)
        raise
