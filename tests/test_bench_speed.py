"""The speed bench's reporting: repeated runs reduce to the fastest one, failures stay visible."""

from __future__ import annotations

from bench.speed import _fastest_run


def test_the_fastest_run_is_reported_with_every_runs_throughput_and_the_most_memory() -> None:
    runs = [
        {"msg_per_s": 19_000.0, "p50_us": 12.0, "peak_rss_mb": 80.0},
        {"msg_per_s": 12_000.0, "p50_us": 30.0, "peak_rss_mb": 84.0},
        {"msg_per_s": 21_000.0, "p50_us": 10.0, "peak_rss_mb": 79.0},
    ]
    fastest = _fastest_run(runs)
    assert fastest["msg_per_s"] == 21_000.0 and fastest["p50_us"] == 10.0
    assert fastest["runs_msg_per_s"] == [19_000.0, 12_000.0, 21_000.0]
    assert fastest["peak_rss_mb"] == 84.0


def test_a_failed_run_is_left_out_and_reported_when_none_succeeded() -> None:
    failed = {"system": "claimwatch", "error": "worker timed out after 240 s"}
    assert _fastest_run([failed, {"msg_per_s": 5.0, "peak_rss_mb": 60.0}])["msg_per_s"] == 5.0
    assert _fastest_run([failed, failed])["error"] == failed["error"]
