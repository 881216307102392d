"""Outgoing chat-group webhooks of a cohort: announcements and a daily digest, signed and retried.

- ``signing``: the HMAC-SHA256 signature and ``verify_signature`` for receivers.
- ``transports``: one class per body format (generic JSON, Slack/Discord, WeCom group robot); HTTP errors become a
  ``WebhookError`` whose ``permanent`` flag decides between retrying and giving up.
- ``selectors`` / ``services``: reads and writes, including the delivery attempt that claims a row with a
  conditional UPDATE so two workers never send the same delivery.
"""
