"""The demo story's wildlife chapter: the CITES species index, two real pangolin seizure sets, and
the CITES trade records beside them, so the trends, routes and duplicates have something to count.

All four are the real public files of the repository's data/ folder, imported as the CLI imports
them: the species index and trade records by the operator (they are reference data), the
seizures into GS-LYON's GREEN datasets `eia` and `china`.
"""

from __future__ import annotations

from liaison.demo.story_scene import Scene
from liaison.model import Identity
from liaison.services.sharing.imports import envelope_for
from liaison.services.sharing.reference_data import reference_file
from liaison.services.wildlife import cites_trade, seizures

__all__ = ["SEIZURE_SETS", "import_wildlife"]

SPECIES_INDEX = "wildlife/cites_species_index_2017-04-21.csv"
TRADE = "wildlife/cites_trade_manidae_comptab_2019-05-31.csv"
SEIZURE_SETS = (
    ("eia", "eia-pangolin", "wildlife/eia_pangolin_seizures_2000-2019.xlsx"),
    ("china", "china-pangolin", "wildlife/pangolin_seizures_china_2008-2016_conl12339_tableS1.xlsx"),
)
"""(dataset, built-in mapping, reference file) of the seizure sets; `eia` marks the chapter as told."""


def import_wildlife(scene: Scene) -> bool:
    """The species index, the EIA and China pangolin seizures, and the CITES trade in pangolins."""
    operator = Identity.operator()
    if scene.has_dataset(operator, SEIZURE_SETS[0][0]):
        return False
    settings, now = scene.settings, scene.ago(days=20)
    seizures.import_species(scene.engine, operator, reference_file(settings, SPECIES_INDEX), now)
    for dataset, mapping, relative in SEIZURE_SETS:
        path = reference_file(settings, relative)
        envelope = envelope_for(
            "GS-LYON", dataset, "GREEN", "wildlife crime", now=now, retention_years=settings.retention_years
        )
        seizures.import_seizures(
            scene.engine, operator, path, mapping, envelope=envelope, source=path.name, now=now
        )
    cites_trade.import_trade(scene.engine, operator, reference_file(settings, TRADE), now)
    return True
