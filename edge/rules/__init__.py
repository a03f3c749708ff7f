"""Rules that turn what a camera sees into alerts: corridor clutter (model-free) and e-bikes indoors."""
