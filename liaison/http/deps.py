"""Route dependencies: what a request may ask of the application."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy import Engine

__all__ = ["DatasetName", "EngineDep"]


async def get_engine(request: Request) -> Engine:
    """The store engine the application was built with."""
    engine: Engine = request.app.state.engine
    return engine


EngineDep = Annotated[Engine, Depends(get_engine)]

DatasetName = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
"""A dataset named in a path: letters, digits, '_', '-' and '.'."""
