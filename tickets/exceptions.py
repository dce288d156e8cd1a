"""The domain's one error type: the API maps it to a 400 naming the field."""


class TicketError(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
