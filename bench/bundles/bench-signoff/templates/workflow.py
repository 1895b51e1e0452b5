from __future__ import annotations

from ntro.workflow import NtroWorkflow, runbook


@runbook.defn
class BenchSignoffWorkflow(NtroWorkflow):
    @runbook.step(name="sign_off", title="Sign off", icon="BadgeCheck")
    async def sign_off(self, period: str) -> str:
        decision = await self.wait_for_action(
            payload={"period": period}, display_hint={"type": "nav_signoff"}
        )
        return "signed" if decision.approved else "refused"

    @runbook.run
    async def run(self, period: str) -> str:
        return await self.sign_off(period)
