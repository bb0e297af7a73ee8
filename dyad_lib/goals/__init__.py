"""Goals: the annual collection goal, derived step by step, and the goals later reports track.

Owns the inputs, their checks and defaults (`inputs`), inputs files and scenarios (`scenarios`),
the formulas shared with the report page (`formulas`), the ledger and break-even (`ledger`),
realism checks (`realism`), levers (`levers`), KPI targets (`targets`), monthly phasing
(`phasing`) and the collection lag (`lag`), the whole plan (`plan`), the history it is derived
from (`history`), budget flags and the budget against actual (`budget`), a committed year against
today's derivation (`committed`), goals.yaml (`store`) and the goal of a month or year to date for
later reports (`lines`).
May import `dyad_lib.fmt`, `dyad_lib.data`, `dyad_lib.metrics` and `dyad_lib.partnership`;
nothing above it (goal charts are presentation: `dyad_lib.reports.goal_charts`).
"""
