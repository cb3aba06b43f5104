"""Import discord.py quietly: claimwatch never uses voice, so nothing about voice is worth a word.

Python 3.11 and 3.12 warn that `audioop` (imported for voice) goes away in 3.13, where discord.py
depends on the `audioop-lts` backport instead; tests turn warnings into errors. And every client
logs two warnings at start that the voice libraries PyNaCl and davey are not installed. Both are
silenced here, once.
"""

from __future__ import annotations

import warnings

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "'audioop' is deprecated", DeprecationWarning)
    import discord

discord.VoiceClient.warn_nacl = False
discord.VoiceClient.warn_dave = False

__all__ = ["discord"]
