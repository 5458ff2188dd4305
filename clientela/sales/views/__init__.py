"""The sales pages, one module per subject."""
