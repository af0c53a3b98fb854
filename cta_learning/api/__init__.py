"""The JSON API: webhooks from the Call's other systems."""
