"""The outbox: every email is written here with the change that caused it, then delivered."""
