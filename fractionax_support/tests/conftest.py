import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """schemathesis (4.32) names each operation's test "test_x[GET /path]", but pytest 9.2
    builds node ids from the function name alone, so every operation got the same id
    (reports, `--deselect` and xdist could not tell them apart). Put the operation back."""
    for item in items:
        label = getattr(item, "operation_label", None)
        if label and not item.nodeid.endswith("]"):
            item._id = item._id.with_params(label)
