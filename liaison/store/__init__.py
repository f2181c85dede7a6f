"""The store: SQLAlchemy tables, migrations and repositories over SQLite or PostgreSQL."""

from liaison.store.db import is_current, migrate, open_engine
from liaison.store.entities import (
    StoredEntity,
    count_by_dataset_schema,
    entities_by_id,
    iter_dataset,
    write_batch,
)
from liaison.store.registry import (
    DatasetSummary,
    claim_dataset,
    finish_import,
    get_agency,
    list_agencies,
    list_datasets,
    save_agency,
    start_import,
)

__all__ = [
    "DatasetSummary",
    "StoredEntity",
    "claim_dataset",
    "count_by_dataset_schema",
    "entities_by_id",
    "finish_import",
    "get_agency",
    "is_current",
    "iter_dataset",
    "list_agencies",
    "list_datasets",
    "migrate",
    "open_engine",
    "save_agency",
    "start_import",
    "write_batch",
]
