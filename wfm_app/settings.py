"""The app's settings: the only place that reads the environment (the packages take explicit config).

    WFM_DATA_DIR         folder of the embedded database and the sample center's files (default wfm-data)
    WFM_DATABASE_URL     any SQLAlchemy URL; wins over the data folder's SQLite file
    WFM_SOLVER_WORKERS   CP-SAT workers per roster generation (default 2)
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from wfm.storage import DEFAULT_DATA_DIR, database_url


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str
    solver_workers: int = Field(2, ge=1, le=64)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        data_dir = Path(env.get("WFM_DATA_DIR", "").strip() or DEFAULT_DATA_DIR)
        return cls(
            data_dir=data_dir,
            # The store decides between WFM_DATABASE_URL and the data folder's file; we only pass env on.
            database_url=database_url(data_dir, env),
            solver_workers=env.get("WFM_SOLVER_WORKERS", "").strip() or 2,
        )
