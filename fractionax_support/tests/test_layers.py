"""Every module of the tickets app is placed in the layering that `make lint` checks: in the
domain (which may import nothing built on it) or among what is built on it. A new module
in neither list would escape the import contract unnoticed."""

import tomllib
from pathlib import Path

import tickets

ROOT = Path(tickets.__file__).parent
NOT_MODULES = {"__init__", "tests", "migrations", "management", "templatetags", "__pycache__"}


def test_every_tickets_module_is_placed_in_the_import_contract():
    config = tomllib.loads((ROOT.parent / "pyproject.toml").read_text())
    [contract] = [c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "forbidden"]
    placed = {name.removeprefix("tickets.") for name in (*contract["source_modules"], *contract["forbidden_modules"])}
    modules = {path.stem for path in ROOT.iterdir() if path.suffix == ".py" or (path / "__init__.py").exists()}

    assert sorted(modules - NOT_MODULES - placed) == []
    assert not set(contract["source_modules"]) & set(contract["forbidden_modules"])
