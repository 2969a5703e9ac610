"""The plan store: SQLModel tables, Alembic migrations, and service functions that return plain views.

Owns every database session and statement, the append-only ledgers (reports, task events, members, the
reminder outbox, inbound deliveries) and their guards. Imports only `store`.
"""
