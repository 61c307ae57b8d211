"""People and access: who may do what (staff tokens today; accounts and keys next)."""
