"""A fresh, empty database per test on each backend the store supports: SQLite and PostgreSQL.

PostgreSQL cases use the server named by WFM_TEST_POSTGRES_URL (`.ci/run` starts one and sets e.g.
postgresql+psycopg://wfm:wfm@127.0.0.1:5432/wfm_test); each test gets a schema of its own there,
dropped afterwards. Without the variable they skip, unless WFM_REQUIRE_POSTGRES=1 (set by CI) makes
them fail, so that CI cannot pass with PostgreSQL silently untested.

Test modules use it with `from tests.storage_backends import store_url  # noqa: F401` (a fixture).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url

POSTGRES_VARIABLE = "WFM_TEST_POSTGRES_URL"
REQUIRE_VARIABLE = "WFM_REQUIRE_POSTGRES"
BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh, empty database on the backend the test is parametrised with."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'wfm.db'}"
    else:
        yield from postgres_schema_url(postgres_server_url())


def postgres_server_url() -> str:
    url = os.environ.get(POSTGRES_VARIABLE, "").strip()
    if not url:
        reason = f"{POSTGRES_VARIABLE} is not set: no PostgreSQL server to test the store against"
        if os.environ.get(REQUIRE_VARIABLE) == "1":
            pytest.fail(f"{reason}, but {REQUIRE_VARIABLE}=1 requires one")
        pytest.skip(reason)
    return url


def postgres_schema_url(server_url: str) -> Iterator[str]:
    """A new schema on the server, as the only one on the URL's search path; dropped after the test."""
    schema = f"wfm_test_{secrets.token_hex(6)}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
        try:
            yield make_url(server_url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
                hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    finally:
        admin.dispose()
