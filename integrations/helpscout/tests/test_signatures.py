from integrations.helpscout.signatures import is_valid, sign


def test_matches_the_official_sdk_vector():
    assert sign(b'{"id":123}', "asdfasdf") == "7S2+kN8bZsrdAEADJ+yYfWWsf/4="
    assert is_valid(b'{"id":123}', "7S2+kN8bZsrdAEADJ+yYfWWsf/4=", "asdfasdf")


def test_refuses_a_wrong_or_missing_signature_or_secret():
    body = b'{"id":123}'
    assert not is_valid(body, "7S2+kN8bZsrdAEADJ+yYfWWsf/4=", "other")
    assert not is_valid(b'{"id": 123}', "7S2+kN8bZsrdAEADJ+yYfWWsf/4=", "asdfasdf")  # re-encoded body
    assert not is_valid(body, "", "asdfasdf")
    assert not is_valid(body, sign(body, ""), "")
    assert not is_valid(body, "dés", "asdfasdf")  # non-ASCII header value
