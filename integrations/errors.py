"""How an outbound call failed: worth retrying (outage, 429, 5xx, timeout) or not, and
whether the provider may have acted on it all the same."""


class DeliveryError(Exception):
    deferred = False  # held back by our own pacing: no failure of the integration

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        permanent: bool = False,
        maybe_sent: bool = True,
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.permanent = permanent
        # False when the request surely had no effect (refused before or without being
        # processed: our rate limiter, a 4xx, a 429); a timeout or a 5xx may have.
        self.maybe_sent = maybe_sent
