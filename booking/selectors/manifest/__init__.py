"""The manifest optimiser: which payload rides which of a provider's rideshare launches.

``solver`` is pure (no Django): a problem of demands, launches and their compatibility sets,
solved with OR-Tools CP-SAT. ``demands`` reads the database and builds that problem with the
booking engine's own fit rules, so the solver never sees a rule, only what they allow.
"""
