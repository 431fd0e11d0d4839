"""The decoder refuses every bad frame with a precise code; the doc matches the code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from realtime.protocol import ERROR_CODES, REGISTRY, ProtocolError, decode
from realtime.protocol.docgen import render

LIMIT = 64 * 1024
DOC = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"


def code_of(frame) -> str:
    with pytest.raises(ProtocolError) as e:
        decode(frame, LIMIT)
    assert e.value.code in ERROR_CODES
    return e.value.code


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("{not json", "bad_json"),
        ("[1, 2]", "bad_json"),
        ('"sync"', "bad_json"),
        (b"\x00\x01", "binary_not_supported"),
        ('{"type": "vote.explode"}', "unknown_type"),
        ('{"data": {}}', "invalid"),
        ('{"type": 5}', "invalid"),
        ('{"type": "sync", "data": {}}', "invalid"),
        ('{"type": "sync", "data": {"last_seq": "7"}}', "invalid"),
        ('{"type": "sync", "data": {"last_seq": -1}}', "invalid"),
        ('{"type": "sync", "data": {"last_seq": 1, "extra": 1}}', "invalid"),
        ('{"type": "sync", "data": [1]}', "invalid"),
        ('{"type": "sync", "data": {"last_seq": 1}, "sneaky": 1}', "invalid"),
        ('{"v": 2, "type": "sync", "data": {"last_seq": 1}}', "unsupported_version"),
        ('{"type": "attendance.check_in", "data": {}}', "invalid"),  # idempotent: needs key
        ('{"type": "sync", "id": 12, "data": {"last_seq": 1}}', "invalid"),
        ('{"type": "agenda.step", "data": {"direction": "sideways"}}', "invalid"),
    ],
)
def test_bad_frames_get_precise_codes(frame, code):
    assert code_of(frame) == code


def test_oversized_frame_is_refused_before_parsing():
    frame = json.dumps({"type": "sync", "data": {"last_seq": 1}, "id": "x" * 10}) + " " * LIMIT
    with pytest.raises(ProtocolError) as e:
        decode(frame, LIMIT)
    assert e.value.code == "frame_too_large"
    assert str(LIMIT) in e.value.message


def test_missing_field_details_name_the_field():
    with pytest.raises(ProtocolError) as e:
        decode('{"type": "attendance.record", "key": "k1", "data": {"present": true}}', LIMIT)
    assert e.value.details == [{"field": "member", "problem": "Field required"}]


def test_valid_frames_decode():
    d = decode('{"v": 1, "type": "sync", "id": "r1", "data": {"last_seq": 3}}', LIMIT)
    assert (d.spec.type, d.id, d.data.last_seq) == ("sync", "r1", 3)
    d = decode('{"type": "attendance.check_in", "key": "abc", "data": {}}', LIMIT)
    assert d.key == "abc" and d.spec.idempotent


def test_every_example_validates():
    for spec in REGISTRY.commands.values():
        spec.model.model_validate(spec.example)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)
frames = st.one_of(
    st.text(max_size=300),
    st.binary(max_size=100),
    json_values.map(json.dumps),
    st.fixed_dictionaries(
        {"type": st.sampled_from(sorted(REGISTRY.commands) + ["nope"]), "data": json_values},
        optional={"id": json_values, "key": json_values, "v": json_values},
    ).map(json.dumps),
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(frames)
def test_decoder_never_crashes(frame):
    """Random frames either decode into a registered command or raise ProtocolError."""
    try:
        d = decode(frame, LIMIT)
    except ProtocolError as e:
        assert e.code in ERROR_CODES
    else:
        assert d.spec.type in REGISTRY.commands


def test_protocol_doc_is_generated_from_the_code():
    from realtime import registration

    registration.require_installed()
    text = DOC.read_text(encoding="utf-8")
    for type_ in list(REGISTRY.commands) + list(REGISTRY.events):
        assert f"### `{type_}`" in text, f"{type_} is missing from docs/protocol.md"
    for code in ERROR_CODES:
        assert f"`{code}`" in text, f"error code {code} is missing from docs/protocol.md"
    assert text == render(), (
        "docs/protocol.md is stale: run python -m realtime.protocol.docgen docs/protocol.md"
    )


def test_every_command_has_a_handler():
    from realtime import registration
    from realtime.handlers import HANDLERS

    registration.require_installed()
    assert set(REGISTRY.commands) == set(HANDLERS)
