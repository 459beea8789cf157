"""Domain errors raised by workflow functions (mapped to HTTP codes by web/, to messages by cli/)."""

from __future__ import annotations

from typing import Any

from states.machine import InvalidTransition

__all__ = ["Conflict", "DomainValidation", "Forbidden", "InvalidTransition", "NotFound", "StaleVersion",
           "TooManyAttempts"]


class NotFound(Exception):
    def __init__(self, what: str = "记录") -> None:
        super().__init__(f"{what}不存在")
        self.message = f"{what}不存在"


class Forbidden(Exception):
    """The actor may not read this (states.policy): 403, never a silent empty answer."""

    def __init__(self, message: str = "您无权查看此内容", code: str = "forbidden") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class StaleVersion(Exception):
    """Someone else changed the case since the caller read it (optimistic lock)."""

    def __init__(self, current: int, allowed: list[str]) -> None:
        super().__init__("该案件已被他人修改，请刷新后重试")
        self.message = "该案件已被他人修改，请刷新后重试"
        self.current = current
        self.allowed = allowed


class Conflict(Exception):
    def __init__(self, message: str, code: str = "conflict") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class DomainValidation(Exception):
    """Input that is well-formed but not acceptable (a field-level problem, in Chinese)."""

    def __init__(self, fields: list[dict[str, Any]], message: str = "输入有误，请检查标出的字段") -> None:
        super().__init__(message + ": " + "; ".join(f"{f['field']}: {f['message']}" for f in fields))
        self.message = message
        self.fields = fields

    @classmethod
    def one(cls, field: str, code: str, message: str) -> DomainValidation:
        return cls([{"field": field, "code": code, "message": message}])


class TooManyAttempts(Exception):
    """A public limit refused the attempt (workflow.portal.rate_limits): wait ``retry_after`` seconds."""

    def __init__(self, code: str, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_after = retry_after
