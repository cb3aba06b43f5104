"""Claim matching: normalisation, candidate index, scoring and stance."""

from bot.core.matching.matcher import ALERT_THRESHOLD, SUGGEST_THRESHOLD, Matcher, Thresholds

__all__ = ["ALERT_THRESHOLD", "SUGGEST_THRESHOLD", "Matcher", "Thresholds"]
