"""Chat transports: one module per platform (Telegram, Slack, the console), each only translating.

A transport turns the platform's payloads into `Inbound` values for the conversation, its replies into the
platform's calls (buttons into inline keyboards or Block Kit), and implements the reminder sender's `Port`.
The only modules that import a platform library. Must not import the command line, and must not decide what
to say: wording and rules belong to the conversation.
"""
