"""Public pages: home, priority areas, FAQ, and the health check."""
