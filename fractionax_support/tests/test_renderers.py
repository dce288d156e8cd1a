"""The API's JSON renderer writes the bytes DRF's own renderer writes."""

from hypothesis import example, given
from hypothesis import strategies as st
from rest_framework.renderers import JSONRenderer as DRFJSONRenderer

from fractionax_support.renderers import JSONRenderer

# What serializers hand the renderer: strings (any Unicode), whole numbers, booleans, None,
# and dicts and lists of them, including validation errors keyed by list index.
SCALARS = st.none() | st.booleans() | st.integers() | st.text()
KEYS = st.text() | st.integers(min_value=0, max_value=1000)
DATA = st.recursive(SCALARS, lambda children: st.lists(children) | st.dictionaries(KEYS, children), max_leaves=30)


@given(DATA)
@example({"note": "line\u2028paragraph\u2029", 0: ["é <b>&</b> /"]})
@example({"page": 10**60})
def test_the_same_bytes_as_drfs_renderer(data):
    assert JSONRenderer().render(data) == DRFJSONRenderer().render(data)
