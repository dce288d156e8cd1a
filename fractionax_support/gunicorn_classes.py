"""The classes gunicorn_conf names: the worker, uvicorn's server as `make run` configures
it, and gunicorn's logger, which prints uvicorn's lines too, in our line format."""

from typing import Any

from gunicorn import glogging
from uvicorn_worker import UvicornWorker as MaintainedUvicornWorker

from fractionax_support.log_format import json_formatter, wants_json


class UvicornWorker(MaintainedUvicornWorker):
    # Channels' router has no lifespan protocol: without this uvicorn tries it and logs so.
    CONFIG_KWARGS = {**MaintainedUvicornWorker.CONFIG_KWARGS, "lifespan": "off"}


class Logger(glogging.Logger):
    """With LOG_FORMAT=json, one JSON object per line from gunicorn's error and access
    handlers, through which the uvicorn worker prints uvicorn's loggers. The credential
    filter goes on uvicorn's loggers when the worker loads the app (log_redaction.py)."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        if wants_json():
            for log in (self.error_log, self.access_log):
                for handler in log.handlers:
                    handler.setFormatter(json_formatter())
