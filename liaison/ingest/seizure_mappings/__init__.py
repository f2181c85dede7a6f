"""The seizure mappings Liaison ships: YAML files here, by the name `--mapping` takes."""

from pathlib import Path

__all__ = ["BUILT_IN"]

BUILT_IN = {
    name: Path(__file__).resolve().parent / f"{name}.yaml" for name in ("eia-pangolin", "china-pangolin")
}
"""Each built-in mapping's file, by name."""
