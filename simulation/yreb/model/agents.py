"""Mesa agents: regions, co-built parks and innovation enclaves.

Agents carry identity and metadata; their stocks live in the model's numpy arrays (vectorised pairwise
work), and the agents' properties are views onto those arrays.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mesa import Agent

if TYPE_CHECKING:
    from yreb.model.model import YREBModel
    from yreb.policies.co_built_park import CoBuiltParkPolicy
    from yreb.policies.innovation_enclave import InnovationEnclavePolicy


class Region(Agent):
    """A province (or city, or the rest of China) holding talent, labour, capital, land and knowledge."""

    def __init__(self, model: YREBModel, index: int, name: str, name_zh: str, subregion: str, in_belt: bool):
        super().__init__(model)
        self.index, self.name, self.name_zh, self.subregion, self.in_belt = index, name, name_zh, subregion, in_belt

    @property
    def talent_persons(self) -> int:
        """Resident talent (R&D personnel), all registrations."""
        return int(self.model.talent_stock[:, self.index].sum())

    @property
    def labour_persons(self) -> int:
        """Resident labour (everyone but talent), all registrations."""
        return int(self.model.labour_stock[:, self.index].sum())

    @property
    def capital_installed_100m_yuan(self) -> float:
        """Capital installed in the region's own economy (parks excluded), all owners."""
        return float(self.model.capital[:, self.index].sum())

    @property
    def land_km2(self) -> float:
        """Construction land of the region's own economy (parks excluded)."""
        return float(self.model.land_km2[self.index])

    @property
    def knowledge_stock(self) -> float:
        """The region's knowledge stock (7.7)."""
        return float(self.model.knowledge[self.index])

    @property
    def gdp_100m_yuan(self) -> float:
        """GDP by location in the last simulated year."""
        return float(self.model.last_outputs["gdp_100m_yuan"][self.index])

    def __repr__(self) -> str:
        return f"Region({self.name})"


class CoBuiltPark(Agent):
    """A park in ``host`` run with the ``sponsor``'s management model ("bring in"); a production unit."""

    def __init__(self, model: YREBModel, policy: CoBuiltParkPolicy, unit: int, host: int, sponsor: int):
        super().__init__(model)
        self.policy, self.unit, self.host, self.sponsor = policy, unit, host, sponsor

    @property
    def capital_100m_yuan(self) -> float:
        """Capital installed in the park, all owners."""
        return float(self.model.capital[:, self.unit].sum())

    @property
    def land_km2(self) -> float:
        """The park's land."""
        return float(self.model.land_km2[self.unit])

    @property
    def gdp_100m_yuan(self) -> float:
        """The park's value added in the last simulated year (current prices)."""
        return float(self.model.last_unit_gdp[self.unit])


class InnovationEnclave(Agent):
    """R&D staff living and working in ``hub`` for ``home`` ("go out", a science-and-technology enclave)."""

    def __init__(self, model: YREBModel, policy: InnovationEnclavePolicy, slot: int, home: int, hub: int):
        super().__init__(model)
        self.policy, self.slot, self.home, self.hub = policy, slot, home, hub

    @property
    def researchers_persons(self) -> float:
        """The enclave's staff this year."""
        return float(self.model.enclave_staff[self.slot])
