"""Connecting to a practice system's database: the URL, the password, one read-only transaction.

Why so careful: the database is the office's live system. The password never travels on the
command line (it would sit in the shell history and the process list): it comes from
`DYAD_IMPORT_PASSWORD` or a prompt, and every URL shown or stored is rendered without it. The
import reads inside ONE read-only transaction with a consistent snapshot (MariaDB/MySQL:
`START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY`; SQLite: the file opened read-only, the
connection in `query_only` mode, one deferred transaction), so every table is read as of the same
instant, nothing can be written, and InnoDB takes no locks for these reads.

Driver errors are turned into one line that says what to check; they never reach the user raw.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from dyad_lib.importers.problems import SourceProblem, UsageProblem

PASSWORD_ENV = "DYAD_IMPORT_PASSWORD"
URL_HELP = "mysql+pymysql://USER@HOST[:PORT]/DATABASE (or sqlite:///path/to/file.db)"
#: MySQL/MariaDB client and server error numbers the messages below explain.
_UNREACHABLE = {2002, 2003, 2005, 2006, 2013, 2055}
_REFUSED_USER = {1045, 1698}
_NO_DATABASE = {1049}
_NO_PRIVILEGE = {1044, 1142, 1143}


@dataclass(frozen=True)
class Source:
    """A parsed source URL; `shown` is what may be printed or stored (never the password)."""

    url: object  # sqlalchemy.engine.URL
    dialect: str  # "mysql" or "sqlite"
    shown: str

    @property
    def user(self) -> str:
        return self.url.username or ""

    @property
    def where(self) -> str:
        if self.dialect == "sqlite":
            return Path(self.url.database or "").name
        port = f":{self.url.port}" if self.url.port else ""
        return f"{self.url.host or 'localhost'}{port}"


def scrub(text: str, *secrets: str | None) -> str:
    """`text` with every secret and any `user:password@` part of a URL masked."""
    text = re.sub(r"(://[^:/@\s]*):[^@\s]*@", r"\1:***@", str(text))
    for s in secrets:
        if s:
            text = text.replace(s, "***")
    return text


def parse_source(text: str) -> Source:
    """Check a `--url`: a MariaDB/MySQL URL without a password, or an SQLite file."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(text.strip())
    except (ArgumentError, ValueError):
        raise UsageProblem(f"--url is not a database URL; write it as {URL_HELP}") from None
    if url.password is not None:
        raise UsageProblem("--url must not contain a password (it would stay in the shell history); "
                           f"remove it and set {PASSWORD_ENV} or answer the prompt")
    backend = url.get_backend_name()
    if backend in ("mysql", "mariadb"):
        driver = url.get_driver_name()
        if driver not in ("pymysql", "mysqldb", ""):
            raise UsageProblem(f"--url uses the driver '{driver}'; use mysql+pymysql://…")
        url = url.set(drivername="mysql+pymysql")
        if not url.database:
            raise UsageProblem(f"--url names no database; write it as {URL_HELP}")
        if not url.username:
            raise UsageProblem(f"--url names no user; write it as {URL_HELP}")
        return Source(url, "mysql", url.render_as_string(hide_password=True))
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise UsageProblem("--url names no SQLite file; write it as sqlite:///path/to/file.db")
        return Source(url, "sqlite", f"sqlite:///{Path(url.database).name}")
    raise UsageProblem(f"--url must be a MariaDB/MySQL or SQLite URL ({URL_HELP}), not '{backend}'")


def password_from_env() -> str | None:
    """The password given in the environment, or None when the user must be asked."""
    return os.environ.get(PASSWORD_ENV)


def create_source_engine(source: Source, password: str | None):
    """An SQLAlchemy engine for the source (no connection is opened yet)."""
    import sqlalchemy as sa

    if source.dialect == "sqlite":
        path = Path(source.url.database).expanduser()
        if not path.is_file():
            raise UsageProblem(f"there is no SQLite database file named {path.name} at the --url path")
        ro = f"sqlite+pysqlite:///file:{path.resolve()}?mode=ro&uri=true"
        return sa.create_engine(ro, poolclass=sa.pool.NullPool)
    url = source.url.set(password=password or None)
    return sa.create_engine(url, poolclass=sa.pool.NullPool,
                            connect_args={"connect_timeout": 10, "charset": "utf8mb4"})


def explain(exc: BaseException, source: Source, password: str | None = None) -> str:
    """One line for a driver error: what failed and what to check (never the password)."""
    orig = getattr(exc, "orig", None) or exc
    args = getattr(orig, "args", ())
    code = args[0] if args and isinstance(args[0], int) else None
    if source.dialect == "mysql":
        if code in _UNREACHABLE:
            return (f"cannot reach the database server at {source.where} (is it running, and is the host "
                    "and port right?)")
        if code in _REFUSED_USER:
            return (f"the database server at {source.where} refused the user '{source.user}' (check the user "
                    f"name and the password in {PASSWORD_ENV})")
        if code in _NO_DATABASE:
            return f"the database server at {source.where} has no database named '{source.url.database}'"
        if code in _NO_PRIVILEGE:
            detail = str(args[1]) if len(args) > 1 else ""
            return scrub(f"the user '{source.user}' may not read what the import needs ({detail}); grant it "
                         f"SELECT on the database '{source.url.database}'", password)
    detail = str(args[1] if len(args) > 1 else (args[0] if args else orig)).strip().splitlines()
    return scrub(f"the database at {source.where} could not be read ({detail[0] if detail else type(orig).__name__})",
                 password)


@contextmanager
def read_only(engine, source: Source, password: str | None = None) -> Iterator[object]:
    """One connection inside one read-only, consistent-snapshot transaction, always rolled back."""
    from sqlalchemy.exc import DBAPIError

    try:
        conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    except DBAPIError as exc:
        raise UsageProblem(explain(exc, source, password)) from None
    try:
        try:
            if source.dialect == "sqlite":
                conn.exec_driver_sql("PRAGMA query_only = ON")
                conn.exec_driver_sql("BEGIN")
            else:
                conn.exec_driver_sql("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                conn.exec_driver_sql("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY")
        except DBAPIError as exc:
            raise UsageProblem(explain(exc, source, password)) from None
        try:
            yield conn
        except DBAPIError as exc:
            raise SourceProblem(explain(exc, source, password)) from None
        finally:
            try:
                conn.exec_driver_sql("ROLLBACK")
            except DBAPIError:
                pass
    finally:
        conn.close()
        engine.dispose()
