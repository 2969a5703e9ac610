"""Plan store: SQLModel tables, Alembic migrations and service functions that return plain views."""
