"""The web app's pages, one module per area (see the README for how to add one)."""
