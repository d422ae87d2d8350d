"""Pure domain rules of the platform (docs/domain.md): plain values in, plain values out.

Nothing in this package imports Flask, a database session or reads the clock; callers pass `today`.
Modules: `money` (cents, rounding, Dutch formatting), `valuation` (building blocks),
`obligation` (the SROI obligation of a contract), `fulfilment` (status of a contract's obligation)
and `pso` (PSO self-scan and certificate expiry).
"""
