"""Version 1 of the JSON API: its framework (framework.py), errors, and endpoints by audience."""
