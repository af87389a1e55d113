"""An application group: group 64, `counter`, from samples/vendor-group (served by the
virtual device with `--example-groups`, and by the vendor-group firmware sample), driven
by smpclient's generic requests over UDP and the serial PTY.

The wire contract (samples/vendor-group/counter/src/lib.rs):
- 0 read `{}` -> `{"value": N}`, N = 0 after boot;
- 0 write `{"value": N}` -> `{}`, N <= 1000, else err {64, 1} (v2) / rc 3 (v1);
  a missing or wrongly typed `value` -> rc 3;
- 1 write `{}` -> `{"value": N + 1}`, same bound and error.
"""

from __future__ import annotations

from smp import error as smperr
from smp import header as smphdr
from smp import message as smpmsg
from smpclient.requests.enumeration_management import GroupDetails, ListSupportedGroups

from conftest import EXTERNAL, run
from test_smpclient import assert_answers, assert_err_v2, assert_ok, assert_rc, make_client

COUNTER = 64


def start(start_sim):
    """The virtual device serving the example group, or SMP_TARGET (the firmware sample
    serves it without options)."""
    return start_sim() if EXTERNAL is not None else start_sim(extra=["--example-groups"])


class CounterErrorV1(smperr.ErrorV1):
    _GROUP_ID = COUNTER


class CounterErrorV2(smperr.ErrorV2[int]):
    _GROUP_ID = COUNTER


class ValueResponse(smpmsg.ReadResponse):
    _GROUP_ID = COUNTER
    _COMMAND_ID = 0

    value: int


class ValueRead(smpmsg.ReadRequest):
    _GROUP_ID = COUNTER
    _COMMAND_ID = 0
    _Response = ValueResponse
    _ErrorV1 = CounterErrorV1
    _ErrorV2 = CounterErrorV2


class ValueSetResponse(smpmsg.WriteResponse):
    _GROUP_ID = COUNTER
    _COMMAND_ID = 0


class ValueWrite(smpmsg.WriteRequest):
    _GROUP_ID = COUNTER
    _COMMAND_ID = 0
    _Response = ValueSetResponse
    _ErrorV1 = CounterErrorV1
    _ErrorV2 = CounterErrorV2

    value: object = None


class EmptyValueWrite(smpmsg.WriteRequest):
    """Command 0 write without `value`."""

    _GROUP_ID = COUNTER
    _COMMAND_ID = 0
    _Response = ValueSetResponse
    _ErrorV1 = CounterErrorV1
    _ErrorV2 = CounterErrorV2


class IncrementResponse(smpmsg.WriteResponse):
    _GROUP_ID = COUNTER
    _COMMAND_ID = 1

    value: int


class Increment(smpmsg.WriteRequest):
    _GROUP_ID = COUNTER
    _COMMAND_ID = 1
    _Response = IncrementResponse
    _ErrorV1 = CounterErrorV1
    _ErrorV2 = CounterErrorV2


def test_the_counter_starts_at_0_and_counts(start_sim, transport):
    device = start(start_sim)

    async def go():
        async with make_client(device, transport) as c:
            # a device that stays up between tests (SMP_TARGET) may have counted already
            assert_ok(await c.request(ValueWrite(value=0)))
            request = ValueRead()
            rsp = assert_ok(await c.request(request))
            assert_answers(rsp, request)
            assert rsp.value == 0
            assert assert_ok(await c.request(Increment())).value == 1
            assert assert_ok(await c.request(Increment())).value == 2
            assert assert_ok(await c.request(ValueRead())).value == 2

    run(go())


def test_a_value_is_set_up_to_1000(start_sim, transport):
    device = start(start_sim)

    async def go():
        async with make_client(device, transport) as c:
            assert_ok(await c.request(ValueWrite(value=1000)))
            assert assert_ok(await c.request(ValueRead())).value == 1000
            assert_err_v2(await c.request(ValueWrite(value=1001)), COUNTER, 1)
            assert_err_v2(await c.request(Increment()), COUNTER, 1)
            assert assert_ok(await c.request(ValueRead())).value == 1000

    run(go())


def test_a_v1_client_gets_rc_3_for_the_groups_error(start_sim):
    device = start(start_sim)

    async def go():
        async with make_client(device, "udp") as c:
            assert_rc(await c.request(ValueWrite(value=5000, version=smphdr.Version.V1)), 3)

    run(go())


def test_a_missing_or_mistyped_value_is_rc_3(start_sim):
    device = start(start_sim)

    async def go():
        async with make_client(device, "udp") as c:
            assert_rc(await c.request(EmptyValueWrite()), 3)
            assert_rc(await c.request(ValueWrite(value="7")), 3)
            assert_rc(await c.request(ValueWrite(value=-1)), 3)

    run(go())


def test_enum_lists_the_group_with_its_name_and_handlers(start_sim):
    device = start(start_sim)

    async def go():
        async with make_client(device, "udp") as c:
            groups = assert_ok(await c.request(ListSupportedGroups())).groups
            assert COUNTER in groups
            details = assert_ok(await c.request(GroupDetails(groups=[COUNTER]))).groups
            assert [(d.group, d.name, d.handlers) for d in details] == [(COUNTER, "counter", 2)]

    run(go())


def test_without_the_option_the_group_is_not_served(start_sim):
    if EXTERNAL is not None:
        import pytest

        pytest.skip("the firmware sample always serves it")
    device = start_sim()

    async def go():
        async with make_client(device, "udp") as c:
            assert_rc(await c.request(ValueRead()), 8)

    run(go())
