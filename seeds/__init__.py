"""Validated YAML transcriptions of the plans, with provenance, and their idempotent application."""
