"""Users, organisation profiles, membership and sign-in."""
