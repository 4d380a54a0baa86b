"""Loading a built release into a triple store: one transaction, one load at a time, verified."""
