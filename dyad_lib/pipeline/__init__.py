"""Pipeline: running the report notebooks and turning them into client pages.

Owns one report's run (`runner`), kernels (`kernel`, `kernel_pool`), notebook → HTML export
(`render`), PDF printing (`pdf`), the report cache (`cache`), many reports at once (`batch`), the
Dask cluster (`cluster`) and reports/index.html (`index`).
May import every stage below it (and the demo generator, for `dyad demo`); never the CLI.
"""
