"""Shared test settings: fast bcrypt, and no stray environment leaking into Settings."""

from __future__ import annotations

import os

# Tests build Settings explicitly; clear anything a developer's shell might carry.
for _name in [n for n in os.environ if n.startswith("PHOTOSHARE_") or n == "CLOUDINARY_URL"]:
    del os.environ[_name]
