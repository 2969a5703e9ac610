"""The chat bot, in three rooms whose arrows point inward (checked by import-linter, see pyproject.toml):

- `bot.conversation` decides what the bot says: one `Inbound` message in, replies out, for every platform;
- `bot.transports` translate between a chat platform (Telegram, Slack, the console) and those values;
- `bot.cli` is the `duban` command: settings, wiring, the operator's commands.

The command line may use the transports and the conversation, the transports the conversation; never the
reverse. All of them read and write only through `store`, `nlu`, `schedules` and `seeds`.
"""
