"""Reports: what each report shows, assembled and worded, and how it looks.

One module per report assembles its numbers and words (`data_quality`, `monthly_review`,
`quarterly_partnership`, `practice_assessment`, `portfolio`, `annual_goals`; talking points in
`talking_points`; the monthly review's budget section in `budget`);
shared blocks (`blocks`), HTML fragments from autoescaping templates (`html`, `templates/`),
charts (`charts`, `goal_charts`) and the list of reports read from the notebooks (`catalog`).
May import every stage below: `dyad_lib.fmt`, `data`, `metrics`, `partnership`, `goals`; never the
pipeline or the CLI.
"""
