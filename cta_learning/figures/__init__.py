"""The Call in figures: the counts of the annual report, as a page, JSON and CSV."""
