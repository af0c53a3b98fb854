"""Local MGI interest: a request per organisation and the secretariat's pipeline."""
