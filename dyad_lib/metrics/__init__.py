"""Metrics: every number of the metric registry, for any period.

Owns periods (`periods`), the registry and its bands (`registry`, `registry.yaml`), the target a
gap is measured to (`targets`), monthly components (`components`), the metric families
(`financial`, `schedule`, `patients`, `partnership`), `compute_metrics` and `monthly_series`
(`compute`), comparisons and verdicts (`compare`), breakdowns by provider, visit type or category
(`breakdown`), money-sized opportunities (`opportunities`) and the `dyad metrics --json`
document (`payload`).
May import `dyad_lib.fmt` and `dyad_lib.data`; nothing above it.
"""
