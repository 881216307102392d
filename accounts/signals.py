"""Signals accounts sends for apps above it (accounts imports none of them)."""

from django.dispatch import Signal

# A learner's consent changed: kwargs user, topic (a MailTopic or "all"), subscribed, source. Sent after commit.
consent_changed = Signal()
