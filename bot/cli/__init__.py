"""The `duban` command line: the composition root.

Owns the entry point and its arguments (`parser`), settings from the environment, `duban run` (wiring the
configured transports, the conversation and the reminder scheduler into one process) and the operator's
commands (catalog, users, reminders, calendar, chats). Each command's module is imported only when that
command runs. Nothing else imports it.
"""
