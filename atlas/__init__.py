"""Innovation Atlas NL: where research and innovation happen in the Netherlands, region by region."""

__version__ = "0.1.0"
