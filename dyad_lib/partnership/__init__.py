"""Partnership: the views behind the partners' checkpoints.

Owns the 14-area needs assessment (`assessment`), 360 feedback with its anonymity rule
(`feedback360`), the action plan, conflict log and decision grid (`logs`), the meeting rhythm
(`rhythm`), team and patient surveys (`surveys`), the checkpoint agenda (`checkpoint`), which
instruments are missing (`instruments`) and the printable forms (`forms`). The partnership metric
ids themselves are a metric family (`dyad_lib.metrics.partnership`).
May import `dyad_lib.fmt`, `dyad_lib.data` and `dyad_lib.metrics`; nothing above it.
"""
