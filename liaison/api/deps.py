"""Route dependencies: what a request may ask of the application."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine

__all__ = ["EngineDep"]


async def get_engine(request: Request) -> Engine:
    """The store engine the application was built with."""
    engine: Engine = request.app.state.engine
    return engine


EngineDep = Annotated[Engine, Depends(get_engine)]
