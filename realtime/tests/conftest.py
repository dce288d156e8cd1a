import pytest
from channels.layers import channel_layers


@pytest.fixture(autouse=True)
def fresh_channel_layer():
    """Each async test runs in its own event loop; a channels-redis layer holds locks bound
    to the loop that first used it, so each test gets a new layer."""
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()
