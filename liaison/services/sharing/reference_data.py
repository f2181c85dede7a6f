"""Files of the public reference data folder (the repository's `data/`, or `LIAISON_SHARED_DATA`)."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from liaison.errors import NotFound
from liaison.ingest.base import member
from liaison.settings import Settings

__all__ = ["reference_file"]


def reference_file(settings: Settings, relative: str) -> Path:
    """The reference file at `relative` (e.g. `watchlists/un/un.xml`), shipped as it is or gzipped.

    The repository ships its data gzipped; a folder of the same files unpacked serves as well.
    """
    wanted = PurePosixPath(relative)
    folder = settings.shared_data.joinpath(*wanted.parent.parts)
    found = member(folder, wanted.name) if folder.is_dir() else None
    if found is None:
        raise NotFound(
            f"{settings.shared_data / relative}: reference data missing (nor .gz); the repository's data/ "
            "folder holds it, or set LIAISON_SHARED_DATA to a folder that does"
        )
    return found
