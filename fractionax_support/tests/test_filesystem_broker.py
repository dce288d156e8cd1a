"""`make run`'s embedded broker never hands a worker a message still being written."""

from pathlib import Path

from kombu import Connection

from fractionax_support.filesystem_broker import Transport


def channel(folder: Path):
    options = {"data_folder_in": str(folder), "data_folder_out": str(folder), "processed_folder": str(folder / "done")}
    (folder / "done").mkdir(parents=True)
    return Connection("filesystem://", transport=Transport, transport_options=options).channel()


def test_a_message_is_whole_when_it_appears_and_nothing_is_left_behind(tmp_path):
    broker = channel(tmp_path)

    broker._put("celery", {"body": "x" * 10_000})

    [message] = [path for path in tmp_path.iterdir() if path.is_file()]
    assert message.name.endswith(".celery.msg")
    assert broker._get("celery") == {"body": "x" * 10_000}


def test_a_message_being_written_is_not_taken(tmp_path):
    broker = channel(tmp_path)
    (tmp_path / "123_abc.partial").write_bytes(b"")  # created, not yet written and renamed

    broker._put("celery", {"body": "whole"})

    assert broker._get("celery") == {"body": "whole"}
    assert (tmp_path / "123_abc.partial").exists()
