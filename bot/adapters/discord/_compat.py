"""Import discord.py quietly: it imports `audioop` for voice, which claimwatch never uses.

Python 3.11 and 3.12 warn that `audioop` goes away in 3.13 (where discord.py depends on the
`audioop-lts` backport instead). Tests turn warnings into errors, and operators need no
warning about a module the bot does not use, so that one warning is silenced here, once.
"""

from __future__ import annotations

import warnings

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "'audioop' is deprecated", DeprecationWarning)
    import discord

__all__ = ["discord"]
