"""Transformed links: a stored transformation of a photo, reachable by an unguessable slug."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from photoshare.domain.transformations import Transformation


@dataclass(frozen=True, slots=True)
class Link:
    id: uuid.UUID
    photo_id: uuid.UUID
    slug: str
    transformation: Transformation
    created_at: datetime
