"""The Call's mailing list: subscribers, topics, campaigns, and leaving it."""
