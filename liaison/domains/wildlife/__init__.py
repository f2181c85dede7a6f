"""Wildlife trafficking: the CITES species index, seizures with their routes, and trends."""

from pathlib import Path

__all__ = ["BUILT_IN"]

BUILT_IN = {
    name: Path(__file__).resolve().parent / "mappings" / f"{name}.yaml"
    for name in ("eia-pangolin", "china-pangolin")
}
"""The seizure mappings Liaison ships, by the name `--mapping` takes: files in mappings/ here."""
