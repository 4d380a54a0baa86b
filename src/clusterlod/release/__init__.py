"""The release as a publication: its licence, what each file is for, its README, and what changed since the last."""
