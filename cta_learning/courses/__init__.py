"""The MOOC: courses as content files, validated and imported."""
