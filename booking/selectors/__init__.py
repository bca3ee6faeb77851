"""Reads of the booking domain, one module per subject (access, capacity, contracts, prices,
guards, availability, timelines, the planner). Selectors never import services."""
