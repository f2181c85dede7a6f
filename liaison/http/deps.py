"""Route dependencies: what a request may ask of the application."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy import Engine

from liaison.services.screening.matching_service import MatchingService

__all__ = ["DatasetName", "EngineDep", "MatchingDep"]


async def get_engine(request: Request) -> Engine:
    """The store engine the application was built with."""
    engine: Engine = request.app.state.engine
    return engine


EngineDep = Annotated[Engine, Depends(get_engine)]


async def get_matching(request: Request) -> MatchingService:
    """The matching service the application was built with."""
    matching: MatchingService = request.app.state.matching
    return matching


# Dependencies that only read application state are `async`: FastAPI runs a plain `def`
# dependency in its thread pool, and each such hop costs more than the lookup itself.
MatchingDep = Annotated[MatchingService, Depends(get_matching)]

DatasetName = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
"""A dataset named in a path: letters, digits, '_', '-' and '.'."""
