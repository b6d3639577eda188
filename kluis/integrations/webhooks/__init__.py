"""Webhooks: the outbox's domain events delivered to subscribers, signed per Standard
Webhooks, retried, ordered per object, replayable (docs/webhooks.md)."""
