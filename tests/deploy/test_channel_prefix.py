"""Two deployments on one Redis server do not hear each other: a group message sent
under one prefix never reaches a socket's channel under another (real Redis, both
channels_redis layers)."""

import asyncio

import pytest
from channels_redis.core import RedisChannelLayer
from channels_redis.pubsub import RedisPubSubChannelLayer

from deploy.channelprefix import deployment_prefix

LAYERS = [RedisPubSubChannelLayer, RedisChannelLayer]


async def _heard(layer, channel: str, timeout: float) -> dict | None:
    try:
        return await asyncio.wait_for(layer.receive(channel), timeout)
    except TimeoutError:
        return None


@pytest.mark.parametrize("kind", LAYERS, ids=["pubsub", "core"])
def test_another_prefix_hears_nothing_the_same_prefix_hears_all(redis_url, kind):
    async def scenario():
        hall_a = kind(hosts=[redis_url], prefix=deployment_prefix({"NAME": "a"}))
        hall_a_worker2 = kind(hosts=[redis_url], prefix=deployment_prefix({"NAME": "a"}))
        hall_b = kind(hosts=[redis_url], prefix=deployment_prefix({"NAME": "b"}))
        try:
            ch_a = await hall_a_worker2.new_channel()
            ch_b = await hall_b.new_channel()
            await hall_a_worker2.group_add("sitting.1", ch_a)
            await hall_b.group_add("sitting.1", ch_b)
            await asyncio.sleep(0.2)  # both subscriptions effective
            await hall_a.group_send("sitting.1", {"type": "event", "text": "flip"})
            got_a = await _heard(hall_a_worker2, ch_a, 5.0)
            got_b = await _heard(hall_b, ch_b, 1.0)
            return got_a, got_b
        finally:
            for layer in (hall_a, hall_a_worker2, hall_b):
                await layer.flush()  # only this prefix's keys and subscriptions
                if hasattr(layer, "close_pools"):
                    await layer.close_pools()

    got_a, got_b = asyncio.run(scenario())
    assert got_a == {"type": "event", "text": "flip"}  # the same deployment, another worker
    assert got_b is None  # the other deployment on the same Redis heard nothing
