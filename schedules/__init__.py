"""Reminders: which are due on a day (pure planning over a working-day calendar), the sweep that writes them
into the outbox, and delivery through a transport's `Port` with the outbox as ledger.

Imports `store`; never `bot` (the bot supplies the wording through a `Renderer` and the transports the ports).
"""
