"""Ports: what the application needs from the outside world, named by role, not technology.

One module a feature; each port is imported from its module.
"""
