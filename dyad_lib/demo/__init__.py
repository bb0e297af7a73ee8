"""The demo practices: a deterministic generator of two practices' data and their agreed goals.

`practices` writes Harbor (dental) and Maple (medical) with the stories the reports are meant to
find. May import every stage up to `dyad_lib.reports`; the pipeline imports it for `dyad demo`.
"""
