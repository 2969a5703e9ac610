"""Reminder planning (pure) and delivery through a notifier port with a database ledger."""
