"""HTTP layer of Innovation Atlas NL: FastAPI routes over the `atlas` package, nothing more."""
