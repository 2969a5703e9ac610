"""Language helpers for chat messages: text normalisation and number parsing."""
