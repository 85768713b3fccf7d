"""Domain errors. The HTTP edge maps each to one status code, in one place."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every rule violation the domain or application can report."""

    title = "Domain error"

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class InvalidInput(DomainError):
    title = "Invalid input"


class Unauthenticated(DomainError):
    title = "Not authenticated"


class PasswordRequired(Unauthenticated):
    """A share link that wants its password (none came): the problem says `password_required`."""

    title = "Password required"


class Forbidden(DomainError):
    title = "Forbidden"


class NotFound(DomainError):
    title = "Not found"


class Gone(DomainError):
    """It existed but is over: an expired share link, or one whose view limit is reached."""

    title = "Gone"


class Conflict(DomainError):
    title = "Conflict"


class PayloadTooLarge(DomainError):
    title = "Payload too large"


class UnsupportedMedia(DomainError):
    title = "Unsupported media type"


class TooManyRequests(DomainError):
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class Unavailable(DomainError):
    """A dependency (database, token store, image store) cannot answer now; retrying may work."""

    title = "Service unavailable"

    def __init__(self, detail: str, *, retry_after: int = 1) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class UpstreamFailed(DomainError):
    """A remote service (the image CDN) refused or broke the request."""

    title = "Bad gateway"


class StorageFull(DomainError):
    title = "Insufficient storage"
