"""Where a run reads and writes, and for which date: one resource, set by `lrm run` or,
under `dagster dev`, from the environment (LRM_LANDING, LRM_WAREHOUSE, LRM_AS_OF)."""

import datetime as dt
import os
from pathlib import Path

from dagster import ConfigurableResource

from pipelines.clock import today
from pipelines.ingest.landing import Landing, scan_landing
from pipelines.warehouse import default_delivery_path


class LrmSettings(ConfigurableResource):
    """Where a run reads and writes (landing, warehouse, delivery file) and its as-of date, as a
    Dagster resource."""

    landing_dir: str
    warehouse_path: str
    delivery_path: str | None = None
    as_of: str | None = None  # YYYY-MM-DD; default: the newest complete drop

    @property
    def landing_dir_path(self) -> Path:
        """The landing directory as an absolute path."""
        return Path(self.landing_dir).resolve()

    @property
    def warehouse(self) -> Path:
        """The warehouse file as an absolute path."""
        return Path(self.warehouse_path).resolve()

    @property
    def delivery(self) -> Path:
        """The restricted delivery file: the configured path, else the one beside the warehouse."""
        return Path(self.delivery_path).resolve() if self.delivery_path else default_delivery_path(self.warehouse)

    def landing(self) -> Landing:
        """Every complete drop, whatever the as-of date: a run for a past date reads events
        from every drop loaded (today's best knowledge of that date) and the snapshot
        versions in force then (docs/design.md, "Law over time")."""
        return scan_landing(self.landing_dir_path)

    def resolve_as_of(self) -> dt.date:
        """The run's as-of date: the configured one (never after today), else the newest
        complete drop's."""
        if self.as_of:
            as_of = dt.date.fromisoformat(self.as_of)
            if as_of > today():
                raise ValueError(f"as-of date {as_of} is after today ({today()}): nothing can be known of it yet")
            return as_of
        newest = scan_landing(self.landing_dir_path).newest
        if newest is None:
            raise ValueError(f"no complete drop in {self.landing_dir}: cannot choose an as-of date")
        return newest


def settings_from_env() -> LrmSettings:
    """Settings from LRM_LANDING, LRM_WAREHOUSE, LRM_DELIVERY and LRM_AS_OF, for definitions
    loaded without any (`dagster dev`); by default the small landing and
    var/warehouse/lrm.duckdb."""
    return LrmSettings(
        landing_dir=os.environ.get("LRM_LANDING", "var/landing/small"),
        warehouse_path=os.environ.get("LRM_WAREHOUSE", "var/warehouse/lrm.duckdb"),
        delivery_path=os.environ.get("LRM_DELIVERY") or None,
        as_of=os.environ.get("LRM_AS_OF") or None,
    )
