"""Goals: the annual collection goal, derived step by step, and the goals later reports track.

Owns the inputs and their defaults (`inputs`), the ledger and break-even (`ledger`), realism checks
(`realism`), levers (`levers`), KPI targets (`targets`), monthly phasing (`phasing`), the whole
plan (`plan`), the history it is derived from (`history`), goals.yaml (`store`) and the goal of a
month or year to date for later reports (`lines`).
May import `dyad_lib.fmt`, `dyad_lib.data`, `dyad_lib.metrics` and `dyad_lib.partnership`;
nothing above it (goal charts are presentation: `dyad_lib.reports.goal_charts`).
"""
