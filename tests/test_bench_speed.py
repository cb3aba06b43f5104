"""The speed bench's reporting: repeated runs reduce to the median one, failures stay visible."""

from __future__ import annotations

from bench.speed import _median_run


def test_the_median_run_is_reported_with_every_runs_throughput() -> None:
    runs = [
        {"msg_per_s": 21_000.0, "p50_us": 10.0},
        {"msg_per_s": 12_000.0, "p50_us": 30.0},
        {"msg_per_s": 19_000.0, "p50_us": 12.0},
    ]
    median = _median_run(runs)
    assert median["msg_per_s"] == 19_000.0 and median["p50_us"] == 12.0
    assert median["runs_msg_per_s"] == [21_000.0, 12_000.0, 19_000.0]


def test_a_failed_run_is_left_out_and_reported_when_none_succeeded() -> None:
    failed = {"system": "claimwatch", "error": "worker timed out after 240 s"}
    assert _median_run([failed, {"msg_per_s": 5.0}])["msg_per_s"] == 5.0
    assert _median_run([failed, failed])["error"] == failed["error"]
