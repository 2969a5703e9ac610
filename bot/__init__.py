"""Chat front end: the platform-neutral core, the transports and the `duban` command line."""
