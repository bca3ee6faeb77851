"""Pure rules of the booking domain: no database, no reads, no writers. Money and references,
launch status transitions, readiness timing, the platform/pad chain rule and transit, wording."""
