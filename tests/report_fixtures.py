"""Small practices for the monthly review, assessment, talking-point and portfolio tests.

`write_minimal` writes a practice with only practice.yaml, financials and (optionally) expenses:
24 months (2024-01 … 2025-12) of steady numbers, so every expected value can be worked out by
hand: gross 105,000, adjustments 5,000 (net 100,000), collections 100,000 a month; overhead
staff wages 22,000 and facility 6,000 a month; clinical supplies 5,000 a month except 8,000 in
2025-10 … 2025-12 (the "creep" the talking points must find).
"""

from __future__ import annotations

from pathlib import Path

MONTHS = [f"{y}-{m:02d}" for y in (2024, 2025) for m in range(1, 13)]
CREEP = ("2025-10", "2025-11", "2025-12")


def practice_yaml(pid: str, name: str, kind: str = "dental", fy_start: int = 1) -> str:
    return (f"practice_id: {pid}\nname: {name}\nkind: {kind}\nfiscal_year_start_month: {fy_start}\n"
            "currency: USD\nactive_patient_months: 18\npartners:\n  clinical_lead: Dr. Lee\n"
            "  business_lead: Sam Park\n")


def write_minimal(root: Path, pid: str = "tiny-dental", name: str = "Tiny Dental", kind: str = "dental",
                  expenses: bool = True, collections: float = 100_000.0) -> Path:
    folder = root / pid
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "practice.yaml").write_text(practice_yaml(pid, name, kind), encoding="utf-8")
    fin = ["month,gross_production,adjustments,collections,ar_balance,ar_over_90"]
    for m in MONTHS:
        fin.append(f"{m},105000,5000,{collections:.0f},150000,15000")
    (folder / "financials.csv").write_text("\n".join(fin) + "\n", encoding="utf-8")
    if expenses:
        rows = ["month,category,amount"]
        for m in MONTHS:
            rows += [f"{m},staff_wages,22000", f"{m},facility,6000",
                     f"{m},clinical_supplies,{8000 if m in CREEP else 5000}", f"{m},owner_compensation,30000"]
        (folder / "expenses.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


def goals_fy2025(monthly: float = 110_000.0) -> dict:
    """A goals.yaml mapping for FY2025 with every month phased at `monthly`."""
    phasing = {m: monthly for m in MONTHS if m.startswith("2025")}
    return {"FY2025": {"collection_goal": monthly * 12, "net_production_goal": monthly * 12,
                       "gross_production_goal": monthly * 12 * 1.05, "phasing": phasing}}


def demo_data_dir(tmp_factory) -> Path:
    """The committed demo data (data/), or the same files generated into a temp folder."""
    from dyad_lib.data.paths import PROJECT_ROOT

    data = PROJECT_ROOT / "data"
    if (data / "harbor-dental" / "practice.yaml").is_file() and (
            data / "maple-family-medicine" / "practice.yaml").is_file():
        return data
    from dyad_lib.demo.practices import write_demo

    out = tmp_factory.mktemp("demo-data")
    write_demo(out)
    return out
