"""The `duban` command line: parse the arguments, open the database, run the command, turn errors into
Chinese messages and exit statuses. Each command's module is imported only when that command runs."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from sqlalchemy.exc import OperationalError, ProgrammingError

from bot.cli.parser import build_parser
from bot.cli.settings import Settings
from bot.conversation import texts
from store.db import Database, is_busy
from store.errors import CollectiveUnitError, StoreError, UnknownNameError


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env(db_override=args.db)
        settings.prepare()
        db = Database(settings.db_url)
    except StoreError as exc:
        return _fail(str(exc))
    try:
        result = args.handler(args, db)
        if isinstance(result, int):  # the command wrote its own output
            return result
        print(result)
        return 0
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away; that is not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except UnknownNameError as exc:
        return _fail(texts.unknown_name(exc.kind, exc.name, exc.suggestions))
    except CollectiveUnitError as exc:
        return _fail(texts.collective_unit(exc.name, exc.members))
    except StoreError as exc:
        return _fail(str(exc))
    except OperationalError as exc:
        if is_busy(exc):  # locked by another program; the tables may well be there
            return _fail(texts.DB_BUSY)
        if not db.is_reachable():
            return _fail(texts.db_unreachable(db.safe_url, str(exc.orig).strip()))
        return _fail(texts.NOT_INITIALISED)
    except ProgrammingError:
        return _fail(texts.NOT_INITIALISED)
    finally:
        db.dispose()


def _fail(message: str) -> int:
    print(texts.error(message), file=sys.stderr)
    return 2
