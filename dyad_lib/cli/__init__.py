"""The `dyad` program: one module per sub-command (`app` discovers them).

The top stage: may import anything. Each command imports its heavy dependencies (Great
Expectations, papermill) only when it runs, so `dyad --help` stays quick.
"""
