"""The rate limiter's buckets: a caller's burst, refill, and a table that does not grow without bound."""

from __future__ import annotations

import time

import pytest

from liaison.http.limits import RateLimited, TokenBuckets


def test_a_burst_then_refusal_then_forgetting_refilled_callers() -> None:
    buckets = TokenBuckets(rate=1_000.0, burst=3, keep=50)
    for _ in range(3):
        buckets.take("token:a")
    with pytest.raises(RateLimited) as refused:
        buckets.take("token:a")
    assert 0 < refused.value.retry_after <= 0.001
    for number in range(200):  # many one-off callers, as from changing addresses
        buckets.take(f"public:10.0.{number // 250}.{number % 250}")
        time.sleep(0.001)  # each refills to full within a few milliseconds at this rate
    assert len(buckets) <= 51
