"""Peer-learning events: scheduling, agenda, audience, registrations and calendars."""
