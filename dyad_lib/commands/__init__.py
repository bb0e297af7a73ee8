"""Sub-commands of `dyad`; every module with a `register(app)` function is picked up."""
