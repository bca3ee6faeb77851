"""Orchestration across aggregates: the express order and the launch lifecycle (release, go,
lift-off, outcome). Workflows call services and selectors; no service calls a workflow."""
