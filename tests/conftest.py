"""Shared fixtures: every database test runs on SQLite and, when a test URL is set, on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.conversation.knowledge import Knowledge
from nlu.lexicon import Lexicon
from seeds.apply import apply_seeds
from store.db import Database, normalise_url

PG_URL_ENV = "DUBAN_TEST_PG_URL"
BACKENDS = ("sqlite", "postgresql")
# The plan documents travel with the seeds (seeds/data/docs), verbatim copies of ../shared/seed-docs.
SEED_DOCS = Path(__file__).resolve().parents[1] / "seeds" / "data" / "docs"


def _postgres_base_url() -> str:
    url = os.environ.get(PG_URL_ENV)
    if url:
        return normalise_url(url)
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {PG_URL_ENV} is not set: PostgreSQL tests must run in CI")
    pytest.skip(
        f"PostgreSQL tests skipped: set {PG_URL_ENV}=postgresql://postgres@127.0.0.1:5432/test to run them"
    )


@pytest.fixture(scope="session", autouse=True)
def _no_developer_env_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every command reads `.env` from the working directory; a developer's own one must not leak in."""
    empty = tmp_path_factory.mktemp("env") / "empty.env"
    empty.write_text("", encoding="utf-8")
    before = os.environ.get("DUBAN_ENV_FILE")
    os.environ["DUBAN_ENV_FILE"] = str(empty)
    yield
    if before is None:
        os.environ.pop("DUBAN_ENV_FILE", None)
    else:
        os.environ["DUBAN_ENV_FILE"] = before


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL: a SQLite file, or a throwaway schema on the PostgreSQL test server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite3'}"
        return
    base = _postgres_base_url()
    schema = f"duban_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield (
            make_url(base)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    """A migrated, seeded database on each backend."""
    database = Database(db_url)
    apply_seeds(database)
    yield database
    database.dispose()


def _seed_doc(name: str) -> str:
    path = SEED_DOCS / name
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"seed document missing: {path}")
        pytest.skip(f"seed document not found beside the checkout: {path}")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def fuzhou_doc() -> str:
    return _seed_doc("002_4ee6bccc80053b1f.txt")


@pytest.fixture(scope="session")
def gulou_doc() -> str:
    return _seed_doc("000_12104225aee16fef.txt")


@pytest.fixture(scope="session")
def seeded_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """One seeded SQLite database shared by read-only tests (the parser's lexicon, answers without reports)."""
    database = Database(f"sqlite:///{tmp_path_factory.mktemp('seeded') / 'seeded.sqlite3'}")
    apply_seeds(database)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def knowledge(seeded_sqlite: Database) -> Knowledge:
    """The catalog and lexicon, built once: the tokenizer is expensive and never changes within a run."""
    return Knowledge(seeded_sqlite)


@pytest.fixture(scope="session")
def lexicon(knowledge: Knowledge) -> Lexicon:
    return knowledge.lexicon
