"""Finding resources by name: the reconciliation service, suggest, and search (docs/reconciling.md)."""
