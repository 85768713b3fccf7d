"""Use cases: each loads through ports, lets the domain decide, saves and commits."""
