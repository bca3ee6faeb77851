"""Pure rules: no database access, no service imports."""
