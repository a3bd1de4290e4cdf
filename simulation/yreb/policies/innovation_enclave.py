"""'Go out' (Shangrao in Songjiang): an innovation enclave of the home region in a hub (docs/MODEL.md 7.1).

The enclave is an agent of the model (``unit_kind = "enclave"``), present while the policy is in force.
"""

from __future__ import annotations

from typing import Literal

from yreb.policies.base import Claim, PolicyBase, PolicyContext, PolicyState, unit_field


class InnovationEnclavePolicy(PolicyBase):
    """'Go out' (Shangrao in Songjiang): R&D staff living and working in ``hub`` for ``home``."""

    type: Literal["innovation_enclave"]
    region_fields = ("home", "hub")
    claim = Claim("researchers", "hub", "talent_persons", "enclave head-count exceeds half the hub's talent")
    unit_kind = "enclave"
    home: str = unit_field(..., "region", "region the enclave's researchers work for")
    hub: str = unit_field(..., "region", "region the enclave's researchers live and work in")
    researchers: float = unit_field(2000.0, "persons", "R&D head-count of the enclave", ge=0, le=1e7)
    wages_paid_by: Literal["home", "hub"] = unit_field("home", "-", "who pays the staff's wages: home or hub")
    rent_paid_by: Literal["home", "hub"] = unit_field("home", "-", "who pays the enclave's rent: home or hub")
    rent_10k_yuan_per_researcher: float = unit_field(7.2, "10k yuan/year", "office rent per researcher", ge=0, le=1000)
    knowledge_link: float = unit_field(
        1.0, "1", "largest knowledge link l_max; the link grows with the staff relative to the home's R&D", ge=0, le=1
    )

    def apply(self, state: PolicyState, s: float, ctx: PolicyContext) -> None:
        """Enclave staff ``R_e = s x researchers``; its largest link ``s x knowledge_link`` (the model scales the
        link with the staff, 7.7)."""
        state.enclave_staff[ctx.slot] = s * self.researchers
        home, hub = ctx.index[self.home], ctx.index[self.hub]
        state.knowledge_link[home, hub] = max(state.knowledge_link[home, hub], s * self.knowledge_link)
