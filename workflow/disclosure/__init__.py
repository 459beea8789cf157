"""Disclosure applications (依申请公开): registration, actions, handlers, payloads, queries."""
