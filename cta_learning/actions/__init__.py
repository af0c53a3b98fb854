"""Actions (pledges): drafting, submission, classification, moderation and the repository."""
