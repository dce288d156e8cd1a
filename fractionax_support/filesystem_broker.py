"""`make run`'s embedded broker: kombu's filesystem transport, with each message written
whole before any reader can see it.

kombu's own `_put` creates the message file, then locks and writes it; a worker listing
the folder in between moves the empty file away, fails to parse it and stops ("Unrecoverable
error: JSONDecodeError"), which the end-to-end tests on SQLite caught under load. Here a
message is written under a name no reader takes (a queue's messages end in
`.<queue>.msg`) and renamed into place, which is atomic within one filesystem.
"""

import os
import uuid
from time import monotonic
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue: str, payload: Any, **kwargs: Any) -> None:  # type: ignore[override]  # kombu's own signature
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}"
        partial = os.path.join(self.data_folder_out, f"{name}.partial")
        try:
            with open(partial, "wb") as file:
                file.write(str_to_bytes(dumps(payload)))
            os.replace(partial, os.path.join(self.data_folder_out, f"{name}.{queue}.msg"))
        except OSError as error:
            raise ChannelError(f"Cannot add a message to {self.data_folder_out!r}") from error


class Transport(filesystem.Transport):
    Channel = Channel
