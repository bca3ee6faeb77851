"""Services write: every state change of the booking domain goes through one of these modules."""
