"""The process hub: one subscription per group, one pass per event, live once subscribed."""

from __future__ import annotations

import asyncio

import pytest
from channels.layers import InMemoryChannelLayer, channel_layers

from realtime.events import role_group, sitting_group
from realtime.hub import current_hub


async def abroadcast_text(group: str, text: str) -> None:
    """What a broadcast after commit sends to a group (the layer's own group_send)."""
    from channels.layers import get_channel_layer

    await get_channel_layer().group_send(
        group, {"type": "event.text", "text": text, "group": group}
    )


pytestmark = pytest.mark.django_db(transaction=True)


async def test_many_sockets_share_one_subscription_and_each_gets_the_event(committee, connect):
    people = [committee.chair, *committee.members, committee.clerk]
    socks = [await connect(p.user, committee.plenary.pk) for p in people]
    layer = channel_layers["default"]
    hub = current_hub()
    group = sitting_group(committee.plenary.pk)
    # the channel layer sees one member of the group per process: the hub's channel
    assert layer.groups[group].keys() == {hub.channel}
    assert hub.count(group) == len(people)
    await abroadcast_text(group, '{"type":"x","seq":null,"data":{}}')
    for s in socks:
        assert (await s.event("x"))["data"] == {}
    # a role group reaches only that role's sockets
    await abroadcast_text(role_group(committee.plenary.pk, "clerk"), '{"type":"only","seq":null}')
    assert (await socks[-1].event("only"))["type"] == "only"
    for s in socks[:-1]:
        assert await s.comm.receive_nothing(timeout=0.2)
    hub.LINGER_S = 0.3
    for s in socks:
        await s.close()
    # the emptied group stays subscribed a while (tablets come back after a Wi-Fi drop) …
    assert hub.count(group) == 0 and layer.groups[group].keys() == {hub.channel}
    await asyncio.sleep(0.5)
    # … and is left after it
    assert group not in layer.groups and group not in hub.local


async def test_a_tablet_back_within_the_linger_joins_without_a_new_subscription(committee, connect):
    """A Wi-Fi drop: the tablet's groups are still subscribed, so it is live at once."""
    member = committee.members[0]
    first = await connect(member.user, committee.plenary.pk)
    hub = current_hub()
    await first.close()
    subscribed = []
    layer = channel_layers["default"]
    real_add = layer.group_add

    async def counting_add(group, channel):
        subscribed.append(group)
        await real_add(group, channel)

    layer.group_add = counting_add
    try:
        again = await connect(member.user, committee.plenary.pk)
    finally:
        del layer.group_add
    assert subscribed == []  # sitting, role and login groups: all still live
    group = sitting_group(committee.plenary.pk)
    assert hub.count(group) == 1
    await abroadcast_text(group, '{"type":"back","seq":null}')
    assert (await again.event("back"))["type"] == "back"
    await again.close()


class LateSubscribeLayer(InMemoryChannelLayer):
    """Like the Redis pub/sub layer: ``group_add`` returns before the subscription is
    effective (there, before Redis confirms the SUBSCRIBE)."""

    DELAY = 0.3

    async def group_add(self, group, channel):
        async def later():
            await asyncio.sleep(self.DELAY)
            await InMemoryChannelLayer.group_add(self, group, channel)

        asyncio.ensure_future(later())


@pytest.fixture
def late_layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": f"{__name__}.LateSubscribeLayer"}}
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


async def test_a_socket_is_welcomed_only_once_its_subscription_is_effective(
    committee, connect, late_layer
):
    s = await connect(committee.members[0].user, committee.plenary.pk)
    # the first event after the welcome is not lost, however late the subscription was
    await abroadcast_text(sitting_group(committee.plenary.pk), '{"type":"first","seq":null}')
    assert (await s.event("first"))["type"] == "first"
    await s.close()
