"""The conversation: everything that decides what the bot says, on any platform.

Owns the core and its ordered handlers (binding, buttons, 收到, reports, questions), the answers and their
formatting, reporting by message, reminder wording and acknowledgement, and every user-facing Chinese text
(`texts`). Must not import a transport, the command line, or a chat platform library: it knows no platform.
"""
