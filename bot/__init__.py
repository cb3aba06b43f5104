"""claimwatch: a misinformation-alert bot for Discord and Slack."""

__all__ = ["__version__"]

__version__ = "0.1.0"
