"""Customer portal views, one module per page group."""
